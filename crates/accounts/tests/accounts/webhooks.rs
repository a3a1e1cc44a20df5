//! `POST /webhooks/clerk`, signed with the real `svix` library (RELIABILITY 23-26).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::Response;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use svix::webhooks::Webhook;
use testkit::TestApp;

use crate::{app, expect};
use db::schema::{audit_log, users, webhook_deliveries};

const PATH: &str = "/webhooks/clerk";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn signer(app: &TestApp) -> Webhook {
    let settings: accounts::Settings = app.section();
    Webhook::new(settings.clerk_webhook_secret.unwrap().expose_secret()).unwrap()
}

/// A Clerk user event as Clerk sends it.
pub(crate) fn user_event(kind: &str, clerk_id: &str, email: &str, role: Value, updated_at_ms: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "event",
        "type": kind,
        "data": {
            "id": clerk_id,
            "object": "user",
            "email_addresses": [
                { "id": "idn_other", "email_address": "secondary@example.com" },
                { "id": "idn_primary", "email_address": email, "verification": { "status": "verified" } }
            ],
            "primary_email_address_id": "idn_primary",
            "first_name": "Grace",
            "last_name": "Hopper",
            "phone_numbers": [{ "id": "idn_phone", "phone_number": "+14155550100" }],
            "primary_phone_number_id": "idn_phone",
            "public_metadata": { "role": role },
            "private_metadata": { "internal_note": "never stored" },
            "created_at": 1_700_000_000_000_i64,
            "updated_at": updated_at_ms
        }
    }))
    .unwrap()
}

pub(crate) fn deleted_event(clerk_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "object": "event", "type": "user.deleted",
                                "data": { "id": clerk_id, "object": "user", "deleted": true } }))
    .unwrap()
}

async fn deliver_raw(app: &TestApp, id: &str, timestamp: i64, signature: &str, body: Vec<u8>) -> Response {
    app.client
        .post(app.url(PATH))
        .header("content-type", "application/json")
        .header("svix-id", id)
        .header("svix-timestamp", timestamp.to_string())
        .header("svix-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Delivers `body` as message `id`, correctly signed now.
pub(crate) async fn deliver(app: &TestApp, id: &str, body: Vec<u8>) -> Response {
    let timestamp = now();
    let signature = signer(app).sign(id, timestamp, &body).unwrap();
    deliver_raw(app, id, timestamp, &signature, body).await
}

pub(crate) async fn stored(app: &TestApp, clerk_id: &str) -> Option<(Option<String>, String, bool, Option<String>)> {
    let mut connection = app.db.connect().await;
    users::table
        .filter(users::clerk_id.eq(clerk_id))
        .select((users::email, users::role, users::is_active, users::first_name))
        .first(&mut connection)
        .await
        .optional()
        .unwrap()
}

async fn count_writes(app: &TestApp) -> (i64, i64, i64) {
    let mut connection = app.db.connect().await;
    let users: i64 = users::table.count().get_result(&mut connection).await.unwrap();
    let deliveries: i64 = webhook_deliveries::table.count().get_result(&mut connection).await.unwrap();
    let audits: i64 = audit_log::table.count().get_result(&mut connection).await.unwrap();
    (users, deliveries, audits)
}

#[tokio::test]
async fn user_created_stores_the_primary_contact_and_the_mapped_role() {
    let app = app().await;
    let body = user_event("user.created", "user_grace", "Grace@Example.com", json!("veterinarian"), 1_000);
    expect(deliver(&app, "msg_1", body).await, 204).await;
    let (email, role, active, first_name) = stored(&app, "user_grace").await.unwrap();
    assert_eq!(email.as_deref(), Some("grace@example.com"));
    assert_eq!((role.as_str(), active, first_name.as_deref()), ("veterinarian", true, Some("Grace")));
    let mut connection = app.db.connect().await;
    let metadata: Value = users::table.select(users::preferences).first(&mut connection).await.unwrap();
    assert!(!metadata.to_string().contains("never stored"));
}

#[tokio::test]
async fn unknown_role_values_map_to_pet_owner() {
    let app = app().await;
    for (id, role) in [("msg_a", json!("superuser")), ("msg_b", json!(42)), ("msg_c", Value::Null)] {
        let clerk_id = format!("user_{id}");
        expect(deliver(&app, id, user_event("user.created", &clerk_id, &format!("{id}@x.io"), role, 1)).await, 204)
            .await;
        assert_eq!(stored(&app, &clerk_id).await.unwrap().1, "pet_owner");
    }
}

#[tokio::test]
async fn bad_signatures_are_400_and_nothing_is_written() {
    let app = app().await;
    let body = user_event("user.created", "user_mallory", "m@example.com", json!("platform_admin"), 1);
    let signer = signer(&app);
    let good = |id: &str, timestamp: i64| signer.sign(id, timestamp, &body).unwrap();
    let mut altered = body.clone();
    altered[10] ^= 1;
    let cases: Vec<(&str, i64, String, Vec<u8>, u16)> = vec![
        ("missing signature", now(), String::new(), body.clone(), 400),
        ("only garbage entries", now(), "v1,%%% v2,abc garbage".into(), body.clone(), 400),
        ("invalid signature", now(), "v1,bm90IGEgc2lnbmF0dXJl".into(), body.clone(), 401),
        ("too old", now() - 330, good("msg_x", now() - 330), body.clone(), 401),
        ("too new", now() + 330, good("msg_x", now() + 330), body.clone(), 401),
        ("body altered by one byte", now(), good("msg_x", now()), altered, 401),
        ("other message id", now(), good("msg_other", now()), body.clone(), 401),
        ("timestamp at i64::MAX", i64::MAX, good("msg_x", i64::MAX), body.clone(), 400),
        ("timestamp at i64::MIN", i64::MIN, good("msg_x", i64::MIN), body.clone(), 400),
    ];
    for (case, timestamp, signature, payload, status) in cases {
        let response = deliver_raw(&app, "msg_x", timestamp, &signature, payload).await;
        assert_eq!(response.status(), status, "{case}");
    }
    let unsigned = app.client.post(app.url(PATH)).body(body.clone()).send().await.unwrap();
    assert_eq!(unsigned.status(), 400, "no svix headers at all");
    assert_eq!(count_writes(&app).await, (0, 0, 0), "a refused delivery wrote something");
}

#[tokio::test]
async fn a_garbage_entry_beside_a_valid_v1_entry_is_accepted() {
    let app = app().await;
    let body = user_event("user.created", "user_rotation", "r@example.com", json!("pet_owner"), 1);
    let timestamp = now();
    let valid = signer(&app).sign("msg_r", timestamp, &body).unwrap();
    let header = format!("v1,Zm9yZ2Vk v2,unknown-version garbage {valid}");
    expect(deliver_raw(&app, "msg_r", timestamp, &header, body).await, 204).await;
    assert!(stored(&app, "user_rotation").await.is_some());
}

#[tokio::test]
async fn a_redelivered_event_has_one_effect_even_when_re_signed() {
    let app = app().await;
    let body = user_event("user.created", "user_twice", "t@example.com", json!("pet_owner"), 1);
    expect(deliver(&app, "msg_same", body.clone()).await, 204).await;
    let timestamp = now() + 2;
    let resigned = signer(&app).sign("msg_same", timestamp, &body).unwrap();
    expect(deliver_raw(&app, "msg_same", timestamp, &resigned, body).await, 204).await;
    assert_eq!(count_writes(&app).await, (1, 1, 1));
}

#[tokio::test]
async fn events_out_of_order_converge_on_the_newest_state() {
    let app = app().await;
    let newer = user_event("user.updated", "user_order", "new@example.com", json!("veterinarian"), 2_000);
    let older = user_event("user.created", "user_order", "old@example.com", json!("pet_owner"), 1_000);
    expect(deliver(&app, "msg_update", newer).await, 204).await;
    expect(deliver(&app, "msg_create", older).await, 204).await;
    let (email, role, ..) = stored(&app, "user_order").await.unwrap();
    assert_eq!((email.as_deref(), role.as_str()), (Some("new@example.com"), "veterinarian"));
}

#[tokio::test]
async fn deletion_erases_personal_data_revokes_tokens_and_is_not_undone_by_a_late_update() {
    let app = app().await;
    expect(
        deliver(&app, "msg_c", user_event("user.created", "user_gone", "g@example.com", json!("pet_owner"), 1)).await,
        204,
    )
    .await;
    let token = app.tokens.token_for("user_gone");
    assert_eq!(app.get_with_token(&token, "/api/v1/users/me").await.status(), 200);

    expect(deliver(&app, "msg_d", deleted_event("user_gone")).await, 204).await;
    assert_eq!(stored(&app, "user_gone").await.unwrap(), (None, "pet_owner".to_owned(), false, None));
    assert_eq!(app.get_with_token(&token, "/api/v1/users/me").await.status(), 401);

    let late = user_event("user.updated", "user_gone", "back@example.com", json!("platform_admin"), 9_000);
    expect(deliver(&app, "msg_late", late).await, 204).await;
    assert_eq!(stored(&app, "user_gone").await.unwrap(), (None, "pet_owner".to_owned(), false, None));
}

#[tokio::test]
async fn a_deletion_before_the_creation_leaves_a_tombstone() {
    let app = app().await;
    expect(deliver(&app, "msg_d", deleted_event("user_early")).await, 204).await;
    let created = user_event("user.created", "user_early", "e@example.com", json!("pet_owner"), 1);
    expect(deliver(&app, "msg_c", created).await, 204).await;
    let (email, _, active, _) = stored(&app, "user_early").await.unwrap();
    assert_eq!((email, active), (None, false));
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_ignored() {
    let app = app().await;
    let body = serde_json::to_vec(&json!({ "type": "session.created", "data": { "id": "sess_1" } })).unwrap();
    expect(deliver(&app, "msg_session", body).await, 204).await;
    let (users, _, audits) = count_writes(&app).await;
    assert_eq!((users, audits), (0, 0));
    let malformed = b"{\"type\": \"user.created\", \"data\": {\"id\": 5}}".to_vec();
    assert_eq!(deliver(&app, "msg_bad", malformed).await.status(), 400);
}

#[tokio::test]
async fn the_daily_purge_forgets_processed_webhook_ids_past_their_retention() {
    use accounts::service::sync::first_delivery;
    let app = app().await;
    let mut connection = app.db.connect().await;
    let now = app.clock.now();
    assert!(first_delivery(&mut connection, "clerk", "msg_old", "user.created", now).await.unwrap());
    // A day short of the retention later, another delivery; then two more days.
    app.clock.advance(chrono::Duration::days(29));
    let now = app.clock.now();
    assert!(first_delivery(&mut connection, "clerk", "msg_new", "user.created", now).await.unwrap());
    app.clock.advance(chrono::Duration::days(2));

    let settings: accounts::Settings = app.section();
    let purge = accounts::jobs::PurgeWebhookDeliveries { retention_days: settings.webhook_retention_days };
    jobs::enqueue(&mut connection, &purge, jobs::EnqueueOptions::default()).await.unwrap();
    // The production schedule must parse.
    testkit::run_due_jobs(
        accounts::worker_options(testkit::worker_options(&app), &settings, &super::personal_data(&app.config)).unwrap(),
    )
    .await;
    let left: Vec<String> = db::schema::webhook_deliveries::table
        .select(db::schema::webhook_deliveries::message_id)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(left, ["msg_new"]);
}
