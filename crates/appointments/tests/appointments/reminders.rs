//! Appointment reminders reach the owner over real SMTP; cancelling removes them.

use mailparse::MailHeaderMap;
use testkit::{SmtpServer, TestApp, expect, make_jobs_due_with_key};

use crate::fixtures::{Scene, berlin_at};

async fn reminder_jobs(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
    }
    use diesel_async::RunQueryDsl;
    let mut connection = app.db.connect().await;
    diesel::sql_query("SELECT key FROM graphile_worker.jobs WHERE key LIKE 'appointment-reminder:%' ORDER BY key")
        .load::<Key>(&mut connection)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.key)
        .collect()
}

async fn run_jobs(app: &TestApp, smtp: &SmtpServer) {
    for _ in 0..2 {
        let options = appointments::worker_options(testkit::worker_options(app), &app.section());
        let options = notifications::worker_options(options, &smtp.configure(&app.config).section().unwrap()).unwrap();
        testkit::run_due_jobs(options).await;
    }
}

#[tokio::test]
async fn the_reminder_of_a_booking_reaches_the_owner_and_cancelling_removes_it() {
    let scene = Scene::new().await;
    let smtp = SmtpServer::start().await;
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let id = booked["id"].as_str().unwrap().to_owned();
    assert_eq!(
        reminder_jobs(&scene.app).await,
        [format!("appointment-reminder:{id}:24h"), format!("appointment-reminder:{id}:2h")]
    );
    run_jobs(&scene.app, &smtp).await;
    assert!(!smtp.messages().is_empty(), "the booking itself was announced");

    make_jobs_due_with_key(&mut scene.app.db.connect().await, &format!("appointment-reminder:{id}:24h")).await;
    run_jobs(&scene.app, &smtp).await;
    // Matched by subject, not position: the booking's own emails may still be
    // arriving alongside.
    let reminders: Vec<(String, String)> = smtp
        .messages()
        .iter()
        .map(|message| {
            let parsed = mailparse::parse_mail(message.as_bytes()).unwrap();
            let header = |name| parsed.headers.get_first_value(name).unwrap_or_default();
            (header("Subject"), header("To"))
        })
        .filter(|(subject, _)| subject.starts_with("Reminder:"))
        .collect();
    assert_eq!(reminders.len(), 1, "one reminder: {reminders:?}");
    let (subject, to) = &reminders[0];
    assert!(subject.starts_with("Reminder: Rex at Tiergarten Vets on"), "{subject}");
    assert!(to.contains(&format!("{}@example.com", scene.owner.subject)));

    expect(scene.move_to(&scene.owner, &id, "cancelled").await, 200).await;
    assert!(reminder_jobs(&scene.app).await.is_empty(), "the 2-hour reminder went with the appointment");
}

#[tokio::test]
async fn a_reminder_already_due_is_never_scheduled_and_rescheduling_removes_the_one_it_makes_due() {
    let scene = Scene::new().await;
    let moved = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "14:00"))).await, 201).await;
    let moved = moved["id"].as_str().unwrap().to_owned();
    // Twelve hours before 10:00 on that day: its 24-hour reminders are due.
    let soon = berlin_at(3, "10:00");
    scene.app.clock.advance(soon - chrono::Duration::hours(12) - scene.app.clock.now());

    let booked = expect(scene.book(&scene.owner, scene.booking(soon)).await, 201).await;
    let booked = booked["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appointments/{moved}/reschedule");
    let to = Some(serde_json::json!({ "starts_at": berlin_at(3, "11:00") }));
    // Within a day of the start, only the clinic may move it.
    expect(scene.app.call(reqwest::Method::POST, &path, &scene.receptionist.token, to).await, 200).await;

    let mut expected = vec![format!("appointment-reminder:{booked}:2h"), format!("appointment-reminder:{moved}:2h")];
    expected.sort();
    assert_eq!(reminder_jobs(&scene.app).await, expected, "only the 2-hour reminders are still to come");
}
