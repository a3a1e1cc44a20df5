//! The transition table, who may make each move, rescheduling with history,
//! completion with records, the calendar and the statistics.

use appointments::status::{Status, TRANSITIONS};
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Scene, berlin_at};

/// Drives a fresh confirmed appointment to `status` along the allowed moves.
async fn appointment_in(scene: &Scene, status: Status, day: i64) -> String {
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(day, "09:00"))).await, 201).await;
    let id = booked["id"].as_str().unwrap().to_owned();
    let path = match status {
        Status::Requested => vec![],
        Status::Confirmed => vec!["confirmed"],
        Status::CheckedIn => vec!["confirmed", "checked_in"],
        Status::InProgress => vec!["confirmed", "checked_in", "in_progress"],
        Status::Completed => vec!["confirmed", "checked_in", "in_progress", "completed"],
        Status::Cancelled => vec!["cancelled"],
        Status::NoShow => vec!["confirmed"],
    };
    for step in path {
        expect(scene.move_to(&scene.receptionist, &id, step).await, 200).await;
    }
    if status == Status::NoShow {
        // An hour after it should have started, on the App's clock.
        scene.travel_to(berlin_at(day, "10:00"));
        expect(scene.move_to(&scene.receptionist, &id, "no_show").await, 200).await;
    }
    id
}

#[tokio::test]
async fn every_move_outside_the_table_is_a_409_and_every_move_in_it_succeeds_for_its_actor() {
    let scene = Scene::with(|settings| settings.max_upcoming_per_owner = 100).await;
    let mut day = 2;
    for from in Status::ALL {
        for to in Status::ALL {
            day += 1;
            let id = appointment_in(&scene, *from, 2 + day % 60).await;
            let allowed = from.transition_to(*to);
            let response = scene.move_to(&scene.receptionist, &id, to.as_str()).await;
            match allowed {
                None => {
                    let refused = expect(response, 409).await;
                    assert_eq!(refused["error"]["details"]["from"], from.as_str(), "{from} -> {to}");
                }
                Some(_) if *to == Status::NoShow => {
                    // Allowed, but only once the appointment has started.
                    expect(response, 409).await;
                }
                Some(_) => {
                    let moved = expect(response, 200).await;
                    assert_eq!(moved["status"], to.as_str());
                }
            }
        }
    }
    assert_eq!(TRANSITIONS.len(), 8);
}

#[tokio::test]
async fn owners_only_cancel_and_only_before_the_clinics_notice() {
    let scene = Scene::new().await;
    let later = expect(scene.book(&scene.owner, scene.booking(berlin_at(5, "09:00"))).await, 201).await;
    let id = later["id"].as_str().unwrap();
    for staff_only in ["confirmed", "checked_in", "completed"] {
        let response = scene.move_to(&scene.owner, id, staff_only).await;
        assert!([403, 409].contains(&response.status().as_u16()), "{staff_only}");
    }
    expect(scene.move_to(&scene.owner, id, "cancelled").await, 200).await;

    let soon = expect(scene.book(&scene.owner, scene.booking(berlin_at(2, "09:00"))).await, 201).await;
    let soon_id = soon["id"].as_str().unwrap();
    // Three hours before it starts: within the clinic's 24 hours of notice.
    scene.travel_to(berlin_at(2, "06:00"));
    let late = expect(scene.move_to(&scene.owner, soon_id, "cancelled").await, 409).await;
    assert!(late["error"]["details"]["deadline"].is_string());
    let (stranger, _) = scene.another_owner().await;
    expect(scene.move_to(&stranger, soon_id, "cancelled").await, 404).await;
    expect(scene.move_to(&scene.receptionist, soon_id, "cancelled").await, 200).await;
}

/// Statements an owner's reschedule sends at most, measured at 23: 24 before
/// the moved reminders and the vet's notice went in one batch of jobs (a batch
/// is one call of the job queue's `add_jobs`). Staff moving an appointment to
/// another vet save two more: that vet's notice joins the batch, and the pet's
/// name is read once.
const RESCHEDULE_STATEMENTS: u64 = 23;

#[tokio::test]
async fn rescheduling_moves_in_place_refuses_the_past_and_taken_slots_and_keeps_history() {
    let scene = Scene::new().await;
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "09:00"))).await, 201).await;
    let id = booked["id"].as_str().unwrap();
    let (other, other_pet) = scene.another_owner().await;
    let mut theirs = scene.booking(berlin_at(3, "11:00"));
    theirs["pet_id"] = json!(other_pet);
    expect(scene.book(&other, theirs).await, 201).await;
    let path = format!("/api/v1/appointments/{id}/reschedule");
    let to = |starts_at: chrono::DateTime<chrono::Utc>| Some(json!({ "starts_at": starts_at }));
    expect(scene.app.call(Method::POST, &path, &scene.owner.token, to(berlin_at(-1, "09:00"))).await, 422).await;
    let taken =
        expect(scene.app.call(Method::POST, &path, &scene.owner.token, to(berlin_at(3, "11:15"))).await, 409).await;
    assert_eq!(taken["error"]["details"]["reason"], "taken");
    let before = db::spans::statements_sent();
    let moved =
        expect(scene.app.call(Method::POST, &path, &scene.owner.token, to(berlin_at(3, "14:00"))).await, 200).await;
    let sent = db::spans::statements_sent() - before;
    eprintln!("a reschedule sent {sent} statements");
    assert!(sent <= RESCHEDULE_STATEMENTS, "a reschedule sent {sent} statements, more than {RESCHEDULE_STATEMENTS}");
    assert_eq!(
        (moved["id"].as_str(), moved["starts_at"].as_str()),
        (Some(id), Some(berlin_at(3, "14:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true).as_str()))
    );
    // The old slot is free again.
    let mut into_old = scene.booking(berlin_at(3, "09:00"));
    into_old["pet_id"] = json!(other_pet);
    expect(scene.book(&other, into_old).await, 201).await;
    let history = expect(
        scene.app.call(Method::GET, &format!("/api/v1/appointments/{id}/history"), &scene.owner.token, None).await,
        200,
    )
    .await;
    let actions: Vec<&str> =
        history.as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["appointment.booked", "appointment.rescheduled"]);
    assert!(history[1]["changes"]["starts_at"]["from"].is_string());
}

#[tokio::test]
async fn completing_attaches_the_visits_records_and_the_calendar_and_statistics_add_up() {
    let scene = Scene::new().await;
    let register = json!({ "clinic_id": scene.clinic });
    expect(
        scene
            .app
            .call(Method::POST, &format!("/api/v1/pets/{}/clinics", scene.pet), &scene.owner.token, Some(register))
            .await,
        200,
    )
    .await;
    let id = appointment_in(&scene, Status::InProgress, 3).await;
    let exam = json!({ "record_date": chrono::Utc::now().date_naive(), "clinic_id": scene.clinic, "details": { "type": "note", "text": "All good." } });
    let record = expect(
        scene
            .app
            .call(Method::POST, &format!("/api/v1/pets/{}/records", scene.pet), &scene.vet.token, Some(exam))
            .await,
        201,
    )
    .await;
    let complete = json!({ "to": "completed", "record_ids": [record["id"]] });
    let path = format!("/api/v1/appointments/{id}/transitions");
    let foreign = json!({ "to": "completed", "record_ids": [kernel::RecordId::new()] });
    expect(scene.app.call(Method::POST, &path, &scene.vet.token, Some(foreign)).await, 422).await;
    let done = expect(scene.app.call(Method::POST, &path, &scene.vet.token, Some(complete)).await, 200).await;
    assert_eq!(done["record_ids"], json!([record["id"]]));
    // The completed visit makes the owner's review of the clinic a verified one.
    let review = json!({ "rating": 5, "body": "Thorough." });
    let mine = format!("/api/v1/clinics/{}/reviews/mine", scene.clinic);
    let reviewed = expect(scene.app.call(Method::PUT, &mine, &scene.owner.token, Some(review)).await, 200).await;
    assert_eq!((reviewed["verified_visit"].as_bool(), reviewed["hidden"].as_bool()), (Some(true), Some(false)));

    appointment_in(&scene, Status::Cancelled, 4).await;
    let range = format!(
        "from={}&to={}",
        berlin_at(3, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        berlin_at(5, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let calendar = expect(
        scene
            .app
            .call(
                Method::GET,
                &format!("/api/v1/clinics/{}/calendar?{range}", scene.clinic),
                &scene.receptionist.token,
                None,
            )
            .await,
        200,
    )
    .await;
    let vet = &calendar["vets"][0];
    assert_eq!(vet["name"], "Dr Weber");
    assert_eq!(vet["appointments"].as_array().unwrap().len(), 2);
    let free_minutes: i64 = vet["free"]
        .as_array()
        .unwrap()
        .iter()
        .map(|period| {
            let start: chrono::DateTime<chrono::Utc> = period["starts_at"].as_str().unwrap().parse().unwrap();
            let end: chrono::DateTime<chrono::Utc> = period["ends_at"].as_str().unwrap().parse().unwrap();
            (end - start).num_minutes()
        })
        .sum();
    assert_eq!(free_minutes, 2 * 8 * 60 - 30, "two working days minus the completed visit");
    let stats = expect(
        scene
            .app
            .call(
                Method::GET,
                &format!("/api/v1/clinics/{}/appointment-stats?{range}", scene.clinic),
                &scene.admin.token,
                None,
            )
            .await,
        200,
    )
    .await;
    assert_eq!(
        (stats["bookings"].as_i64(), stats["completed"].as_i64(), stats["cancelled"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(stats["available_minutes"], 2 * 8 * 60);
    assert_eq!(stats["booked_minutes"], 30);
    expect(
        scene
            .app
            .call(
                Method::GET,
                &format!("/api/v1/clinics/{}/appointment-stats?{range}", scene.clinic),
                &scene.receptionist.token,
                None,
            )
            .await,
        403,
    )
    .await;
    expect(
        scene
            .app
            .call(Method::GET, &format!("/api/v1/clinics/{}/calendar?{range}", scene.clinic), &scene.owner.token, None)
            .await,
        403,
    )
    .await;
}
