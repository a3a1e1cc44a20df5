//! notify → delivery jobs → providers, and the delivery log.

use diesel_async::AsyncConnection;
use kernel::Role;
use mailparse::MailHeaderMap;
use notifications::{Attachment, Category, Sender, Template, notify, notify_each};
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{
    FCM_PATH, Providers, TWILIO_PATH, app, appointment, call, deliveries_of, emergency, expect, make_jobs_due,
    set_contact,
};

#[tokio::test]
async fn an_email_arrives_over_smtp_with_text_and_html_parts_from_the_clinic() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let mut notification = appointment("Rex <the brave>");
    notification.sender = Some(Sender { name: "Happy Paws Clinic".into(), email: "desk@happypaws.example".into() });
    notify(&mut connection, owner.user_id, &notification).await.unwrap();
    providers.run_due_jobs(&app).await;

    let messages = providers.smtp.messages();
    assert_eq!(messages.len(), 1, "expected one email");
    let mail = mailparse::parse_mail(messages[0].as_bytes()).unwrap();
    let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
    assert_eq!(header("Subject"), "Appointment confirmed: Rex <the brave> on Mon 14 Dec 14:30");
    assert!(header("From").contains("Happy Paws Clinic") && header("From").contains("<desk@happypaws.example>"));
    assert!(header("Sender").contains("no-reply@vet-platform.test"), "the platform is the sending agent");
    assert!(header("To").contains(&format!("{}@example.com", owner.subject)));
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let parts: Vec<(String, String)> =
        mail.subparts.iter().map(|part| (part.ctype.mimetype.clone(), part.get_body().unwrap())).collect();
    let text = &parts.iter().find(|(kind, _)| kind == "text/plain").unwrap().1;
    let html = &parts.iter().find(|(kind, _)| kind == "text/html").unwrap().1;
    assert!(text.contains("Rex <the brave>'s appointment at Happy Paws Clinic"), "{text}");
    assert!(html.contains("Rex &lt;the brave&gt;"), "the HTML part must escape data: {html}");

    let log = deliveries_of(&mut connection, owner.user_id).await;
    let email = log.iter().find(|(channel, ..)| channel == "email").unwrap();
    assert_eq!((email.1.as_str(), email.2), ("sent", 1));
    assert!(email.3.as_deref().unwrap().ends_with("@notifications.vet-platform>"));
    assert!(header("Message-ID").contains(email.3.as_deref().unwrap().trim_matches(['<', '>'])));
}

#[tokio::test]
async fn an_attachment_travels_with_the_email_alone_and_is_dropped_once_the_email_is_sent() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    set_contact(&mut connection, owner.user_id, "+33612345678", "Europe/Paris").await;
    let pdf = b"%PDF-1.7\n\x00\xff binary, not text\n%%EOF".to_vec();
    let mut notification = appointment("Rex");
    notification.attachments = vec![Attachment {
        file_name: "invoice-000042.pdf".into(),
        content_type: "application/pdf".into(),
        content: pdf.clone(),
    }];
    notify(&mut connection, owner.user_id, &notification).await.unwrap();
    let stored = "SELECT count(*) AS count FROM notification_attachments";
    assert_eq!(count(&mut connection, stored).await, 1, "one copy, for the email");
    providers.run_due_jobs(&app).await;

    let messages = providers.smtp.messages();
    assert_eq!(messages.len(), 1);
    let mail = mailparse::parse_mail(messages[0].as_bytes()).unwrap();
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    assert_eq!(mail.subparts[0].ctype.mimetype, "multipart/alternative", "text and HTML come first");
    let file = &mail.subparts[1];
    assert_eq!(file.ctype.mimetype, "application/pdf");
    let disposition = file.get_content_disposition();
    assert_eq!(disposition.disposition, mailparse::DispositionType::Attachment);
    assert_eq!(disposition.params.get("filename").map(String::as_str), Some("invoice-000042.pdf"));
    assert_eq!(file.get_body_raw().unwrap(), pdf, "the bytes arrive unchanged");
    let sms = providers.requests_to(TWILIO_PATH).await;
    assert_eq!(sms.len(), 1, "the text message still goes, without the file");
    assert_eq!(count(&mut connection, stored).await, 0, "kept only until the email is sent");
}

#[tokio::test]
async fn attachments_over_the_limit_are_refused_before_anything_is_stored() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let mut notification = appointment("Rex");
    let half = vec![0_u8; notifications::MAX_ATTACHMENT_BYTES / 2 + 1];
    let file = |name: &str| Attachment {
        file_name: name.into(),
        content_type: "application/pdf".into(),
        content: half.clone(),
    };
    notification.attachments = vec![file("a.pdf"), file("b.pdf")];
    let error = notify(&mut connection, owner.user_id, &notification).await.unwrap_err();
    assert!(matches!(error, kernel::Error::Internal(_)), "{error:?}");
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM notifications").await, 0);
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM notification_attachments").await, 0);
}

#[tokio::test]
async fn an_sms_goes_to_the_twilio_api_with_an_idempotency_token_and_fits_one_message() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    set_contact(&mut connection, owner.user_id, "+33612345678", "Europe/Paris").await;
    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    providers.run_due_jobs(&app).await;

    let requests = providers.requests_to(TWILIO_PATH).await;
    assert_eq!(requests.len(), 1);
    let form: Vec<(String, String)> = url_form(&requests[0].body);
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap();
    assert_eq!((field("To").as_str(), field("From").as_str()), ("+33612345678", "+15005550006"));
    assert!(field("Body").contains("Rex is booked for Mon 14 Dec 14:30"));
    assert!(field("Body").chars().count() <= 160);
    let authorization = requests[0].headers.get("authorization").unwrap().to_str().unwrap();
    assert!(authorization.starts_with("Basic "), "Twilio uses HTTP basic auth");
    let idempotency = requests[0].headers.get("i-twilio-idempotency-token").unwrap().to_str().unwrap();

    let log = deliveries_of(&mut connection, owner.user_id).await;
    let sms = log.iter().find(|(channel, ..)| channel == "sms").unwrap();
    assert_eq!((sms.1.as_str(), sms.3.as_deref()), ("sent", Some("SM0001")));
    let delivery_ids = delivery_ids(&mut connection, "sms").await;
    assert_eq!(idempotency, delivery_ids[0].to_string());
}

#[tokio::test]
async fn push_reaches_registered_devices_and_forgets_unregistered_tokens() {
    let app = app().await;
    let providers = Providers::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(FCM_PATH))
        .and(wiremock::matchers::body_string_contains("stale-token"))
        .respond_with(wiremock::ResponseTemplate::new(404).set_body_json(json!({
            "error": { "code": 404, "status": "NOT_FOUND", "details": [{ "errorCode": "UNREGISTERED" }] }
        })))
        .mount(&providers.api)
        .await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    for token in ["live-token", "stale-token"] {
        let body = json!({ "token": token, "platform": "android" });
        expect(call(&app, Method::POST, "/api/v1/notifications/devices", &owner.token, Some(body)).await, 201).await;
    }
    let mut connection = app.db.connect().await;
    notify(&mut connection, owner.user_id, &emergency()).await.unwrap();
    providers.run_due_jobs(&app).await;

    let pushes = providers.requests_to(FCM_PATH).await;
    assert_eq!(pushes.len(), 2);
    for push in &pushes {
        assert_eq!(push.headers.get("authorization").unwrap(), "Bearer ya29.test");
        let body: serde_json::Value = serde_json::from_slice(&push.body).unwrap();
        assert_eq!(body["message"]["notification"]["title"], "Emergency: A vet accepted your case");
    }
    let token_request = &providers.requests_to("/token").await[0];
    assert!(String::from_utf8_lossy(&token_request.body).contains("grant-type%3Ajwt-bearer"));
    let log = deliveries_of(&mut connection, owner.user_id).await;
    let push = log.iter().find(|(channel, ..)| channel == "push").unwrap();
    assert_eq!((push.1.as_str(), push.3.as_deref()), ("sent", Some("projects/vet-test/messages/1")));
    assert_eq!(tokens_of(&mut connection).await, vec!["live-token".to_owned()], "the stale token must be forgotten");
}

#[tokio::test]
async fn a_failing_provider_is_retried_then_the_delivery_fails_and_its_job_is_dead_for_the_admin() {
    let app = app().await;
    let providers = Providers::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(TWILIO_PATH))
        .respond_with(wiremock::ResponseTemplate::new(503).set_body_json(json!({ "message": "maintenance" })))
        .mount(&providers.api)
        .await;
    let owner = app.user(Role::PetOwner).await;
    let admin = app.user(Role::PlatformAdmin).await;
    let mut connection = app.db.connect().await;
    set_contact(&mut connection, owner.user_id, "+33612345678", "UTC").await;
    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    for _ in 0..notifications::service::notify::MAX_ATTEMPTS {
        providers.run_due_jobs(&app).await;
        make_jobs_due(&mut connection).await;
    }
    let attempts = i32::try_from(providers.requests_to(TWILIO_PATH).await.len()).unwrap();
    assert_eq!(attempts, notifications::service::notify::MAX_ATTEMPTS);

    let failed = "/api/v1/admin/notifications/deliveries?channel=sms&status=failed";
    let log = expect(call(&app, Method::GET, failed, &admin.token, None).await, 200).await;
    let record = &log["items"][0];
    assert_eq!(record["attempts"], notifications::service::notify::MAX_ATTEMPTS);
    assert!(record["last_error"].as_str().unwrap().contains("503"), "{record}");
    assert_eq!(record["recipient_id"], owner.user_id.to_string());
    assert!(!record.to_string().contains("+33612345678"), "the log must not show contact details");
    let dead = expect(call(&app, Method::GET, "/api/v1/admin/jobs/dead", &admin.token, None).await, 200).await;
    assert_eq!(dead["items"][0]["kind"], "notifications_deliver", "{dead}");
    let forbidden = call(&app, Method::GET, failed, &owner.token, None).await;
    expect(forbidden, 403).await;
}

#[tokio::test]
async fn a_delivery_whose_job_runs_again_is_not_sent_twice() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    providers.run_due_jobs(&app).await;
    assert_eq!(providers.smtp.messages().len(), 1);

    // The same delivery job again, as after a crash between the send and the job's completion.
    let id = delivery_ids(&mut connection, "email").await[0];
    let job = notifications::jobs::Deliver { delivery_id: id };
    jobs::enqueue(&mut connection, &job, jobs::EnqueueOptions::default()).await.unwrap();
    providers.run_due_jobs(&app).await;
    assert_eq!(providers.smtp.messages().len(), 1, "the email went out twice");
    let log = deliveries_of(&mut connection, owner.user_id).await;
    assert_eq!(log.iter().find(|(channel, ..)| channel == "email").unwrap().2, 1, "one provider call");
}

#[tokio::test]
async fn quiet_hours_delay_non_urgent_deliveries_but_not_emergencies() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    set_contact(&mut connection, owner.user_id, "+33612345678", "Asia/Tokyo").await;
    // Quiet from an hour ago until two hours from now, Tokyo time.
    let tokyo = chrono::Utc::now().with_timezone(&"Asia/Tokyo".parse::<chrono_tz::Tz>().unwrap());
    let (start, end) = (tokyo - chrono::Duration::hours(1), tokyo + chrono::Duration::hours(2));
    let quiet = json!({ "channels": [], "quiet_hours": { "start": start.format("%H:%M").to_string(), "end": end.format("%H:%M").to_string() } });
    expect(call(&app, Method::PUT, "/api/v1/notifications/preferences", &owner.token, Some(quiet)).await, 200).await;

    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    providers.run_due_jobs(&app).await;
    assert!(providers.smtp.messages().is_empty(), "sent during quiet hours");
    let scheduled = scheduled_for(&mut connection).await;
    let wait = scheduled - chrono::Utc::now();
    assert!(wait > chrono::Duration::minutes(100) && wait <= chrono::Duration::minutes(121), "waits {wait}");

    notify(&mut connection, owner.user_id, &emergency()).await.unwrap();
    providers.run_due_jobs(&app).await;
    let messages = providers.smtp.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Emergency"));
}

#[tokio::test]
async fn every_notice_greets_its_recipient_by_first_name_without_the_sender_naming_them() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    let app = app().await;
    let mut connection = app.db.connect().await;
    let (named, unnamed) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let ada = platform::users::ProfileChanges { first_name: Some("Ada".to_owned()), ..Default::default() };
    platform::users::update_profile(&mut connection, named.user_id, &ada).await.unwrap();
    let rex = appointment("Rex");
    assert!(rex.data.get("recipient_name").is_none(), "the sender does not name the recipient");
    let ids = notify_each(&mut connection, &[(named.user_id, &rex), (unnamed.user_id, &rex)]).await.unwrap();
    for (id, greeting) in ids.into_iter().zip(["Hello Ada,", "Hello there,"]) {
        let (body, data): (String, serde_json::Value) = db::schema::notifications::table
            .find(id)
            .select((db::schema::notifications::body, db::schema::notifications::data))
            .first(&mut connection)
            .await
            .unwrap();
        assert!(body.starts_with(greeting), "{body}");
        assert_eq!(data["recipient_name"], greeting.trim_start_matches("Hello ").trim_end_matches(','));
    }
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_notification_and_no_job() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let result = connection
        .transaction::<(), kernel::Error, _>(async |connection| {
            notify(connection, owner.user_id, &appointment("Rex")).await?;
            Err(kernel::Error::conflict("the booking failed"))
        })
        .await;
    assert!(result.is_err());
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM notifications").await, 0);
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM graphile_worker._private_jobs").await, 0);
}

#[tokio::test]
async fn a_template_missing_data_is_refused_before_anything_is_stored() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let broken = notifications::Notification {
        category: Category::Reminder,
        template: Template::VaccinationDue,
        data: json!({ "pet_name": "Rex" }),
        sender: None,
        attachments: Vec::new(),
    };
    let error = notify(&mut connection, owner.user_id, &broken).await.unwrap_err();
    assert!(matches!(error, kernel::Error::Internal(_)), "{error:?}");
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM notifications").await, 0);
}

#[tokio::test]
async fn notify_each_gives_every_recipient_their_own_channels_and_hours_all_or_nothing() {
    let app = app().await;
    let mut connection = app.db.connect().await;
    let (quiet, plain) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    set_contact(&mut connection, quiet.user_id, "+33612345678", "Asia/Tokyo").await;
    set_contact(&mut connection, plain.user_id, "+33612345679", "Europe/Paris").await;
    let tokyo = chrono::Utc::now().with_timezone(&"Asia/Tokyo".parse::<chrono_tz::Tz>().unwrap());
    let (start, end) = (tokyo - chrono::Duration::hours(1), tokyo + chrono::Duration::hours(2));
    let hours = json!({ "channels": [], "quiet_hours": { "start": start.format("%H:%M").to_string(), "end": end.format("%H:%M").to_string() } });
    expect(call(&app, Method::PUT, "/api/v1/notifications/preferences", &quiet.token, Some(hours)).await, 200).await;
    let opt_out = json!({ "channels": [{ "category": "appointment", "channel": "sms", "enabled": false }] });
    expect(call(&app, Method::PUT, "/api/v1/notifications/preferences", &plain.token, Some(opt_out)).await, 200).await;
    let (rex, bella) = (appointment("Rex"), appointment("Bella"));

    let unknown = kernel::UserId::new();
    let error = notify_each(&mut connection, &[(plain.user_id, &rex), (unknown, &bella)]).await.unwrap_err();
    assert!(matches!(error, kernel::Error::NotFound { .. }), "{error:?}");
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM notifications").await, 0, "all or nothing");

    let ids = notify_each(&mut connection, &[(quiet.user_id, &rex), (plain.user_id, &bella)]).await.unwrap();
    for (id, user, pet) in [(ids[0], quiet.user_id, "Rex"), (ids[1], plain.user_id, "Bella")] {
        let sql = format!(
            "SELECT count(*) AS count FROM notifications WHERE id = '{id}' AND recipient_id = '{user}' AND body LIKE '%{pet}%'"
        );
        assert_eq!(count(&mut connection, &sql).await, 1, "{pet}'s notification went to its recipient");
    }
    assert_eq!(channels_of(&mut connection, quiet.user_id).await, ["email", "push", "sms"]);
    assert_eq!(channels_of(&mut connection, plain.user_id).await, ["email", "push"], "SMS switched off");
    let held =
        "SELECT count(*) AS count FROM graphile_worker._private_jobs WHERE run_at > now() + interval '90 minutes'";
    assert_eq!(count(&mut connection, held).await, 3, "the quiet recipient's three wait for the end of their hours");
    let now = "SELECT count(*) AS count FROM graphile_worker._private_jobs WHERE run_at <= now()";
    assert_eq!(count(&mut connection, now).await, 2);
}

/// A notice's inserts have one text whatever their number of rows, so a
/// connection prepares each once and reuses it: notices for one and then two
/// recipients leave one prepared statement per table, where multi-row
/// `VALUES` would be parsed and planned again on every call (and never
/// appear among the prepared statements).
#[tokio::test]
async fn the_inserts_of_any_number_of_notices_stay_prepared_on_the_connection() {
    let app = app().await;
    let mut connection = app.db.connect().await;
    let (first, second) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    set_contact(&mut connection, second.user_id, "+33612345679", "Europe/Paris").await;
    let (rex, bella) = (appointment("Rex"), appointment("Bella"));
    notify(&mut connection, first.user_id, &rex).await.unwrap();
    notify_each(&mut connection, &[(first.user_id, &rex), (second.user_id, &bella)]).await.unwrap();

    for table in ["notifications", "notification_deliveries"] {
        let sql = format!(
            "SELECT count(*) AS count FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO {table} (%'"
        );
        assert_eq!(count(&mut connection, &sql).await, 1, "{table}: one prepared insert for one and for two notices");
    }
}

async fn channels_of(connection: &mut diesel_async::AsyncPgConnection, user: kernel::UserId) -> Vec<String> {
    deliveries_of(connection, user).await.into_iter().map(|(channel, ..)| channel).collect()
}

fn url_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn delivery_ids(connection: &mut diesel_async::AsyncPgConnection, channel: &str) -> Vec<kernel::DeliveryId> {
    use db::schema::notification_deliveries as deliveries;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    deliveries::table.filter(deliveries::channel.eq(channel)).select(deliveries::id).load(connection).await.unwrap()
}

async fn tokens_of(connection: &mut diesel_async::AsyncPgConnection) -> Vec<String> {
    use db::schema::push_devices;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    push_devices::table.select(push_devices::token).load(connection).await.unwrap()
}

async fn scheduled_for(connection: &mut diesel_async::AsyncPgConnection) -> chrono::DateTime<chrono::Utc> {
    use db::schema::notification_deliveries as deliveries;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    deliveries::table
        .filter(deliveries::channel.eq("email"))
        .select(deliveries::scheduled_for)
        .first(connection)
        .await
        .unwrap()
}

async fn count(connection: &mut diesel_async::AsyncPgConnection, sql: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    diesel::sql_query(sql).get_result::<Count>(connection).await.unwrap().count
}

#[tokio::test]
async fn the_daily_purge_removes_finished_notifications_past_their_retention() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let old_done = notify(&mut connection, owner.user_id, &appointment("Old")).await.unwrap();
    providers.run_due_jobs(&app).await;
    let old_waiting = notify(&mut connection, owner.user_id, &appointment("Waiting")).await.unwrap();
    let recent = notify(&mut connection, owner.user_id, &appointment("Recent")).await.unwrap();
    let age = format!(
        "UPDATE notifications SET created_at = now() - interval '401 days' WHERE id IN ('{old_done}', '{old_waiting}')"
    );
    diesel_async::SimpleAsyncConnection::batch_execute(&mut connection, &age).await.unwrap();
    // Leave the waiting delivery pending: its job goes (the queue's public `complete_jobs`).
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut connection,
        "SELECT graphile_worker.complete_jobs(array(SELECT id FROM graphile_worker.jobs))",
    )
    .await
    .unwrap();

    let purge = notifications::jobs::PurgeOldNotifications { retention_days: 400 };
    jobs::enqueue(&mut connection, &purge, jobs::EnqueueOptions::default()).await.unwrap();
    providers.run_due_jobs(&app).await;
    let left = count(&mut connection, "SELECT count(*) AS count FROM notifications").await;
    assert_eq!(left, 2, "only the finished old notification goes");
    let kept = format!("SELECT count(*) AS count FROM notifications WHERE id IN ('{old_waiting}', '{recent}')");
    assert_eq!(count(&mut connection, &kept).await, 2);
    let orphans = "SELECT count(*) AS count FROM notification_deliveries d \
                   WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = d.notification_id)";
    assert_eq!(count(&mut connection, orphans).await, 0);
}
