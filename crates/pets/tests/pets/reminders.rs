//! Care reminders: scheduled with the record, replaced by a newer one, sent
//! by the worker to the real SMTP server, snoozed and dismissed.

use diesel_async::RunQueryDsl;
use kernel::Role;
use mailparse::MailHeaderMap;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{SmtpServer, TestApp, expect, make_jobs_due_with_key};

use crate::fixtures::{Patient, app, dog, patient, pet, record, vaccination};

fn in_days(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// `(stage key, run_at)` of the pending reminder jobs, by key.
async fn reminder_jobs(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
    }
    let mut connection = app.db.connect().await;
    diesel::sql_query("SELECT key FROM graphile_worker.jobs WHERE key LIKE 'pet-reminder:%' ORDER BY key")
        .load::<Key>(&mut connection)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.key)
        .collect()
}

async fn reminders(app: &TestApp, owner: &testkit::TestUser, pet: &str) -> Vec<Value> {
    let listed =
        expect(app.call(Method::GET, &format!("/api/v1/pets/{pet}/reminders"), &owner.token, None).await, 200).await;
    listed.as_array().unwrap().clone()
}

/// Runs due jobs twice: reminders first, then the email deliveries they enqueue.
async fn run_jobs(app: &TestApp, smtp: &SmtpServer) {
    for _ in 0..2 {
        let options = pets::worker_options(testkit::worker_options(app), &app.section());
        let options = notifications::worker_options(options, &smtp.configure(&app.config).section().unwrap()).unwrap();
        testkit::run_due_jobs(options).await;
    }
}

#[tokio::test]
async fn a_second_rabies_vaccination_cancels_the_first_ones_reminders_and_schedules_new_ones() {
    let app = app().await;
    let Patient { owner, rex, here, vet } = patient(&app).await;

    record(&app, &vet, &rex, vaccination("Rabies", &in_days(-330), Some(&in_days(35)), Some(here))).await;
    let first = reminders(&app, &owner, &rex).await;
    assert_eq!(first.len(), 1);
    let first_id = first[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (first[0]["status"].as_str(), first[0]["due_on"].as_str()),
        (Some("pending"), Some(in_days(35).as_str()))
    );
    let stages = ["before-14", "before-3", "due", "overdue-30", "overdue-7"];
    let expected: Vec<String> = stages.iter().map(|stage| format!("pet-reminder:{first_id}:{stage}")).collect();
    assert_eq!(reminder_jobs(&app).await, expected);

    record(&app, &vet, &rex, vaccination("RABIES", &in_days(0), Some(&in_days(365)), Some(here))).await;
    let after = reminders(&app, &owner, &rex).await;
    let status_of =
        |id: &str| after.iter().find(|reminder| reminder["id"] == id).unwrap()["status"].as_str().unwrap().to_owned();
    assert_eq!(status_of(&first_id), "cancelled");
    let second = after.iter().find(|reminder| reminder["id"] != first_id.as_str()).unwrap();
    assert_eq!((second["status"].as_str(), second["due_on"].as_str()), (Some("pending"), Some(in_days(365).as_str())));
    let second_id = second["id"].as_str().unwrap();
    let jobs = reminder_jobs(&app).await;
    assert!(jobs.iter().all(|key| key.contains(second_id)), "the first reminder's jobs are gone: {jobs:?}");
    assert_eq!(jobs.len(), 5);

    // A different vaccine leaves rabies alone.
    record(&app, &vet, &rex, vaccination("DHPP", &in_days(0), Some(&in_days(365)), Some(here))).await;
    assert_eq!(reminder_jobs(&app).await.len(), 10);
}

#[tokio::test]
async fn the_reminder_reaches_the_owner_by_email_when_its_stage_is_due_and_only_once() {
    let app = app().await;
    let smtp = SmtpServer::start().await;
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    let written = record(&app, &owner, &rex, vaccination("Rabies", &in_days(-340), Some(&in_days(20)), None)).await;
    assert_eq!(written["next_due"], in_days(20));
    let reminder = reminders(&app, &owner, &rex).await[0]["id"].as_str().unwrap().to_owned();

    run_jobs(&app, &smtp).await;
    assert!(smtp.messages().is_empty(), "nothing is due yet");

    make_jobs_due_with_key(&mut app.db.connect().await, &format!("pet-reminder:{reminder}:before-14")).await;
    run_jobs(&app, &smtp).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "one stage, one email");
    let mail = mailparse::parse_mail(messages[0].as_bytes()).unwrap();
    assert!(mail.headers.get_first_value("To").unwrap().contains(&format!("{}@example.com", owner.subject)));
    let subject = mail.headers.get_first_value("Subject").unwrap();
    assert!(subject.starts_with("Rex's Rabies vaccination is due on"), "{subject}");
    let shown = reminders(&app, &owner, &rex).await;
    assert!(shown[0]["last_sent_at"].is_string());

    // The same stage delivered again (at-least-once) sends nothing new.
    let mut connection = app.db.connect().await;
    let job = pets::jobs::SendPetReminder {
        reminder_id: kernel::ReminderId(reminder.parse().unwrap()),
        stage: "before-14".into(),
    };
    jobs::enqueue(&mut connection, &job, jobs::EnqueueOptions::default()).await.unwrap();
    run_jobs(&app, &smtp).await;
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn snoozed_stages_stay_quiet_and_a_dismissed_reminder_loses_its_jobs() {
    let app = app().await;
    let smtp = SmtpServer::start().await;
    let owner = app.user(Role::PetOwner).await;
    let stranger = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    record(&app, &owner, &rex, vaccination("Rabies", &in_days(-340), Some(&in_days(20)), None)).await;
    record(&app, &owner, &rex, vaccination("DHPP", &in_days(-340), Some(&in_days(20)), None)).await;
    let listed = reminders(&app, &owner, &rex).await;
    let id_of = |subject: &str| {
        listed.iter().find(|reminder| reminder["subject"] == subject).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (rabies, dhpp) = (id_of("Rabies"), id_of("DHPP"));

    let snooze = format!("/api/v1/pets/{rex}/reminders/{rabies}/snooze");
    expect(app.call(Method::POST, &snooze, &stranger.token, Some(json!({ "days": 7 }))).await, 404).await;
    expect(app.call(Method::POST, &snooze, &owner.token, Some(json!({ "days": 0 }))).await, 422).await;
    let snoozed = expect(app.call(Method::POST, &snooze, &owner.token, Some(json!({ "days": 7 }))).await, 200).await;
    assert!(snoozed["snoozed_until"].is_string());
    let dismiss = format!("/api/v1/pets/{rex}/reminders/{dhpp}/dismiss");
    let dismissed = expect(app.call(Method::POST, &dismiss, &owner.token, None).await, 200).await;
    assert_eq!(dismissed["status"], "dismissed");
    expect(app.call(Method::POST, &dismiss, &owner.token, None).await, 404).await;
    let jobs = reminder_jobs(&app).await;
    assert!(jobs.iter().all(|key| !key.contains(&dhpp)), "{jobs:?}");
    assert!(jobs.iter().any(|key| key.contains(&rabies) && key.contains(":snoozed-")), "{jobs:?}");

    // Every regular stage comes due during the snooze: none is sent.
    let mut connection = app.db.connect().await;
    for stage in ["before-%", "due%", "overdue-%"] {
        make_jobs_due_with_key(&mut connection, &format!("pet-reminder:{rabies}:{stage}")).await;
    }
    run_jobs(&app, &smtp).await;
    assert!(smtp.messages().is_empty());
    // The snooze ends (a week and a day later on the App's clock): one reminder.
    app.clock.advance(chrono::Duration::days(8));
    make_jobs_due_with_key(&mut connection, &format!("pet-reminder:{rabies}:snoozed-%")).await;
    run_jobs(&app, &smtp).await;
    assert_eq!(smtp.messages().len(), 1);
}
