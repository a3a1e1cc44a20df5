//! Typed records, the 24-hour lock, addenda, history, timeline, vaccinations.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Patient, app, dog, patient, pet, record, vaccination};

#[tokio::test]
async fn a_record_older_than_a_day_takes_an_addendum_but_no_edit_and_the_history_shows_both() {
    let app = app().await;
    let Patient { owner, rex, here, vet } = patient(&app).await;
    let exam = json!({
        "record_date": "2026-02-01", "clinic_id": here,
        "details": { "type": "examination", "subjective": "Limping", "objective": "Swollen left carpus", "assessment": "Sprain", "plan": "Rest" },
    });
    let written = record(&app, &vet, &rex, exam.clone()).await;
    assert_eq!(written["title"], "Examination");
    let path = format!("/api/v1/pets/{rex}/records/{}", written["id"].as_str().unwrap());

    let mut fixed = exam.clone();
    fixed["details"]["plan"] = json!("Rest and NSAIDs");
    let edited = expect(app.call(Method::PUT, &path, &vet.token, Some(fixed.clone())).await, 200).await;
    assert_eq!(edited["details"]["plan"], "Rest and NSAIDs");
    expect(app.call(Method::PUT, &path, &owner.token, Some(fixed.clone())).await, 403).await;

    // A day and an hour later on the App's clock, the record is locked.
    app.clock.advance(chrono::Duration::hours(25));
    fixed["details"]["plan"] = json!("Surgery");
    let locked = expect(app.call(Method::PUT, &path, &vet.token, Some(fixed)).await, 409).await;
    assert!(locked["error"]["details"]["editable_until"].is_string());
    let addendum = json!({ "body": "Owner reports the limp is gone." });
    let added = expect(app.call(Method::POST, &format!("{path}/addenda"), &vet.token, Some(addendum)).await, 201).await;
    assert_eq!(added["details"]["plan"], "Rest and NSAIDs", "the original stays as written");
    assert_eq!(added["addenda"][0]["body"], "Owner reports the limp is gone.");

    let history = expect(app.call(Method::GET, &format!("{path}/history"), &owner.token, None).await, 200).await;
    let actions: Vec<&str> =
        history.as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["health_record.created", "health_record.updated", "health_record.addendum_added"]);
    assert_eq!(history[1]["actor_id"], vet.user_id.to_string());
    assert_eq!(history[1]["changes"]["details"]["to"]["plan"], "Rest and NSAIDs");
    assert_eq!(history[1]["changes"]["details"]["from"]["plan"], "Rest");
}

#[tokio::test]
async fn the_timeline_is_newest_first_filtered_and_paged() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    for (date, text) in [("2026-01-03", "third"), ("2026-01-01", "first"), ("2026-01-02", "second")] {
        record(&app, &owner, &rex, json!({ "record_date": date, "details": { "type": "note", "text": text } })).await;
    }
    record(&app, &owner, &rex, json!({ "record_date": "2026-01-02", "details": { "type": "allergy", "allergen": "Chicken", "severity": "moderate" } })).await;
    let base = format!("/api/v1/pets/{rex}/records");

    let mut texts = Vec::new();
    let mut cursor = String::new();
    loop {
        let page =
            expect(app.call(Method::GET, &format!("{base}?type=note&limit=2{cursor}"), &owner.token, None).await, 200)
                .await;
        texts.extend(
            page["items"].as_array().unwrap().iter().map(|item| item["details"]["text"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(texts, ["third", "second", "first"]);
    let january_2nd =
        expect(app.call(Method::GET, &format!("{base}?from=2026-01-02&to=2026-01-02"), &owner.token, None).await, 200)
            .await;
    assert_eq!(january_2nd["items"].as_array().unwrap().len(), 2);
    expect(app.call(Method::GET, &format!("{base}?from=2026-02-01&to=2026-01-01"), &owner.token, None).await, 422)
        .await;
    expect(app.call(Method::GET, &format!("{base}?type=spell"), &owner.token, None).await, 400).await;

    let future = json!({ "record_date": "2999-01-01", "details": { "type": "note", "text": "From the future" } });
    expect(app.call(Method::POST, &base, &owner.token, Some(future)).await, 422).await;
    let backwards = vaccination("Rabies", "2026-03-01", Some("2026-02-01"), None);
    let refused = expect(app.call(Method::POST, &base, &owner.token, Some(backwards)).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["details.next_due"].is_array(), "{refused}");
    let server_owned = json!({ "record_date": "2026-01-01", "author_id": kernel::UserId::new(), "details": { "type": "note", "text": "x" } });
    expect(app.call(Method::POST, &base, &owner.token, Some(server_owned)).await, 400).await;
    let smuggled = json!({ "record_date": "2026-01-01", "details": { "type": "note", "text": "x", "author_id": kernel::UserId::new() } });
    let written = expect(app.call(Method::POST, &base, &owner.token, Some(smuggled)).await, 201).await;
    assert_eq!(written["author_id"], owner.user_id.to_string());
    assert_eq!(written["details"], json!({ "type": "note", "text": "x" }), "unknown detail fields are not stored");
}

#[tokio::test]
async fn vaccinations_are_summarised_and_protocols_suggest_the_next_dose() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    let today = chrono::Utc::now().date_naive();
    let days_ago = |days: i64| (today - chrono::Duration::days(days)).to_string();
    let days_ahead = |days: i64| (today + chrono::Duration::days(days)).to_string();

    let first = record(&app, &owner, &rex, vaccination("Rabies", "2024-03-01", None, None)).await;
    assert_eq!((first["next_due"].as_str(), first["next_due_suggested"].as_bool()), (Some("2025-03-01"), Some(true)));
    let booster = record(&app, &owner, &rex, vaccination("rabies", "2025-03-01", None, None)).await;
    assert_eq!(booster["next_due"], "2028-03-01", "a booster after the first dose lasts three years");
    record(&app, &owner, &rex, vaccination("DHPP", &days_ago(360), Some(&days_ahead(5)), None)).await;
    record(&app, &owner, &rex, vaccination("Leptospirosis", &days_ago(400), Some(&days_ago(35)), None)).await;
    record(&app, &owner, &rex, vaccination("Kennel cough", &days_ago(10), None, None)).await;

    let summary =
        expect(app.call(Method::GET, &format!("/api/v1/pets/{rex}/vaccinations"), &owner.token, None).await, 200).await;
    let state_of = |vaccine: &str| {
        summary
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["vaccine"].as_str().unwrap().eq_ignore_ascii_case(vaccine))
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(summary.as_array().unwrap().len(), 4, "one entry per vaccine: {summary}");
    assert_eq!(state_of("rabies"), "current");
    assert_eq!(state_of("DHPP"), "due_soon");
    assert_eq!(state_of("Leptospirosis"), "overdue");
    assert_eq!(state_of("Kennel cough"), "no_due_date");
}

/// Statements a page of records without addenda or attachments
/// sends at most, for its owner and for a vet of a clinic caring for it: the
/// caller's access to the pet (with the clinics of theirs that care for it),
/// and the page, which says which records have either (3 while they were a
/// query of their own, 4 before that; a vet's page sent 3 while their
/// clinics' care was a query of its own; a page with addenda or attachments
/// adds their reads, see `files.rs`). Each measured request follows one by
/// the same caller on a connection used a moment before, which the pool hands
/// back without a check. Raise it only with a reason (issue 20).
const RECORDS_PAGE_STATEMENTS: u64 = 2;

/// Round trips those statements take: the page is pipelined behind the
/// caller's access (2 before).
const RECORDS_PAGE_ROUND_TRIPS: u64 = 1;

#[tokio::test]
async fn a_records_page_sends_a_bounded_number_of_statements() {
    let app = app().await;
    let Patient { owner, rex, vet, .. } = patient(&app).await;
    for text in ["Ate a sock.", "Fine again."] {
        record(&app, &owner, &rex, json!({ "record_date": "2026-01-05", "details": { "type": "note", "text": text } }))
            .await;
    }
    let path = format!("/api/v1/pets/{rex}/records?limit=20");
    for (caller, who) in [(&owner, "its owner"), (&vet, "a vet of a clinic caring for it")] {
        // The first request provisions the caller; the second is measured.
        expect(app.call(Method::GET, &path, &caller.token, None).await, 200).await;
        let (before, trips_before) = (db::spans::statements_sent(), db::spans::round_trips());
        let page = expect(app.call(Method::GET, &path, &caller.token, None).await, 200).await;
        let sent = db::spans::statements_sent() - before;
        let trips = db::spans::round_trips() - trips_before;
        assert_eq!(page["items"].as_array().unwrap().len(), 2, "{who}");
        assert!(
            sent <= RECORDS_PAGE_STATEMENTS,
            "a records page for {who} sent {sent} statements, more than {RECORDS_PAGE_STATEMENTS}"
        );
        assert!(
            trips <= RECORDS_PAGE_ROUND_TRIPS,
            "a records page for {who} took {trips} round trips, more than {RECORDS_PAGE_ROUND_TRIPS}"
        );
    }
}
