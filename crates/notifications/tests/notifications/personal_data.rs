//! The notifications part of a person's data: exported, then erased.

use kernel::Role;
use notifications::notify;
use notifications::personal_data::PersonalData;
use platform::personal_data::Holder;
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{Providers, app, appointment, call, deliveries_of, expect};

#[tokio::test]
async fn a_persons_notifications_choices_and_devices_are_exported_then_erased_leaving_others() {
    let app = app().await;
    let providers = Providers::start().await;
    providers.accept_everything().await;
    let owner = app.user(Role::PetOwner).await;
    let other = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    let read = notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    notify(&mut connection, owner.user_id, &appointment("Mia")).await.unwrap();
    let kept = notify(&mut connection, other.user_id, &appointment("Tom")).await.unwrap();
    expect(call(&app, Method::POST, &format!("/api/v1/notifications/{read}/read"), &owner.token, None).await, 204)
        .await;
    let choices = json!({
        "channels": [{ "category": "marketing", "channel": "email", "enabled": true }],
        "quiet_hours": { "start": "22:00", "end": "07:00" },
    });
    expect(call(&app, Method::PUT, "/api/v1/notifications/preferences", &owner.token, Some(choices)).await, 200).await;
    let device = json!({ "token": "secret-fcm-token", "platform": "ios" });
    expect(call(&app, Method::POST, "/api/v1/notifications/devices", &owner.token, Some(device)).await, 201).await;
    let other_device = json!({ "token": "other-fcm-token", "platform": "web" });
    expect(call(&app, Method::POST, "/api/v1/notifications/devices", &other.token, Some(other_device)).await, 201)
        .await;
    let holder = PersonalData;
    assert_eq!(holder.section(), "notifications");
    assert_eq!(holder.size(&mut connection, owner.user_id).await.unwrap(), 2 + 1 + 1 + 1);

    let export = holder.export(&mut connection, owner.user_id).await.unwrap();
    let sent = export["notifications"].as_array().unwrap();
    assert_eq!(sent.len(), 2, "{export}");
    assert!(sent[0]["title"].as_str().unwrap().contains("Rex") && sent[1]["title"].as_str().unwrap().contains("Mia"));
    assert_eq!(sent[0]["id"], read.to_string());
    assert!(!sent[0]["read_at"].is_null() && sent[1]["read_at"].is_null());
    assert_eq!(sent[0]["data"]["pet_name"], "Rex");
    assert_eq!(export["preferences"], json!([{ "category": "marketing", "channel": "email", "enabled": true }]));
    assert_eq!(export["quiet_hours"], json!({ "start": "22:00", "end": "07:00" }));
    assert_eq!(export["devices"].as_array().unwrap().len(), 1);
    assert_eq!(export["devices"][0]["platform"], "ios");
    assert!(export["devices"][0]["created_at"].is_string());
    assert!(!export.to_string().contains("secret-fcm-token"), "a push token is a credential: {export}");
    assert!(!export.to_string().contains("Tom"), "another person's notification was exported");

    // The owner's deliveries are still queued when the erasure runs.
    assert!(!deliveries_of(&mut connection, owner.user_id).await.is_empty());
    let others_deliveries = i64::try_from(deliveries_of(&mut connection, other.user_id).await.len()).unwrap();
    let now = chrono::Utc::now();
    holder.erase(&mut connection, owner.user_id, now).await.unwrap();
    holder.erase(&mut connection, owner.user_id, now).await.unwrap();
    assert_eq!(holder.size(&mut connection, owner.user_id).await.unwrap(), 0);
    let empty = json!({ "notifications": [], "preferences": [], "quiet_hours": null, "devices": [] });
    assert_eq!(holder.export(&mut connection, owner.user_id).await.unwrap(), empty);
    let deliveries = count(&mut connection, "SELECT count(*) AS count FROM notification_deliveries").await;
    assert_eq!(deliveries, others_deliveries, "the owner's delivery log must go with the notifications");
    let others = holder.export(&mut connection, other.user_id).await.unwrap();
    assert_eq!(others["notifications"][0]["id"], kept.to_string());
    assert_eq!(others["devices"].as_array().unwrap().len(), 1);

    // The queued jobs of the erased notifications end quietly, sending nothing to the owner.
    providers.run_due_jobs(&app).await;
    let messages = providers.smtp.messages();
    assert_eq!(messages.len(), 1, "only the other person's email goes out");
    assert!(messages[0].contains("Tom"));
    let deliver_jobs =
        "SELECT count(*) AS count FROM graphile_worker.jobs WHERE task_identifier = 'notifications_deliver'";
    let unfinished = count(&mut connection, deliver_jobs).await;
    assert_eq!(unfinished, 0, "a job for an erased notification failed or is waiting to retry");
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
