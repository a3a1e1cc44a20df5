//! What the identity provider decides and what the platform decides: the role
//! a platform admin set stays; banned or locked users cannot sign in; only a
//! verified email is matched by invitations.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::{Role, UserId};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::TestApp;

use crate::webhooks::{deliver, stored, user_event};
use crate::{app, call, expect};
use db::schema::users;

/// `user_event` with `patch` merged into the user.
fn patched(kind: &str, clerk_id: &str, updated_at_ms: i64, patch: Value) -> Vec<u8> {
    let mut event: Value =
        serde_json::from_slice(&user_event(kind, clerk_id, "grace@example.com", json!("pet_owner"), updated_at_ms))
            .unwrap();
    for (key, value) in patch.as_object().unwrap() {
        event["data"][key] = value.clone();
    }
    serde_json::to_vec(&event).unwrap()
}

async fn id_of(app: &TestApp, clerk_id: &str) -> UserId {
    let mut connection = app.db.connect().await;
    users::table.filter(users::clerk_id.eq(clerk_id)).select(users::id).first(&mut connection).await.unwrap()
}

#[tokio::test]
async fn a_role_set_by_a_platform_admin_outlives_later_provider_updates() {
    let app = app().await;
    expect(deliver(&app, "msg_1", patched("user.created", "user_grace", 1_000, json!({}))).await, 204).await;
    let admin = app.user(Role::PlatformAdmin).await;
    let path = format!("/api/v1/admin/users/{}/role", id_of(&app, "user_grace").await);
    expect(call(&app, Method::PUT, &path, &admin.token, Some(json!({ "role": "veterinarian" }))).await, 200).await;

    let renamed = patched("user.updated", "user_grace", 2_000, json!({ "first_name": "Amazing Grace" }));
    expect(deliver(&app, "msg_2", renamed).await, 204).await;
    let (_, role, _, first_name) = stored(&app, "user_grace").await.unwrap();
    assert_eq!(role, "veterinarian", "the provider's pet_owner metadata does not undo the admin's decision");
    assert_eq!(first_name.as_deref(), Some("Amazing Grace"), "the rest of the profile still follows the provider");
}

#[tokio::test]
async fn banned_or_locked_users_cannot_sign_in_until_the_provider_lifts_it() {
    let app = app().await;
    expect(deliver(&app, "msg_1", patched("user.created", "user_grace", 1_000, json!({}))).await, 204).await;
    let token = app.tokens.token_for("user_grace");
    expect(call(&app, Method::GET, "/api/v1/users/me", &token, None).await, 200).await;
    let cases = [("msg_2", 2_000, json!({ "banned": true }), 401), ("msg_3", 3_000, json!({ "locked": true }), 401)];
    for (message, at, patch, status) in cases {
        expect(deliver(&app, message, patched("user.updated", "user_grace", at, patch)).await, 204).await;
        let refused = expect(call(&app, Method::GET, "/api/v1/users/me", &token, None).await, status).await;
        assert_eq!(refused["error"]["message"], "invalid or expired token");
    }
    let lifted = json!({ "banned": false, "locked": false });
    expect(deliver(&app, "msg_4", patched("user.updated", "user_grace", 4_000, lifted)).await, 204).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &token, None).await, 200).await;
}

#[tokio::test]
async fn only_a_verified_email_names_a_user() {
    let app = app().await;
    let unverified = json!({ "email_addresses": [
        { "id": "idn_primary", "email_address": "grace@example.com", "verification": { "status": "unverified" } }
    ] });
    expect(deliver(&app, "msg_1", patched("user.created", "user_grace", 1_000, unverified)).await, 204).await;
    let mut connection = app.db.connect().await;
    let id = id_of(&app, "user_grace").await;
    assert_eq!(platform::users::with_email(&mut connection, "grace@example.com").await.unwrap(), None);
    assert_eq!(platform::users::email_of(&mut connection, id).await.unwrap(), None);

    expect(deliver(&app, "msg_2", patched("user.updated", "user_grace", 2_000, json!({}))).await, 204).await;
    let found = platform::users::with_email(&mut connection, "Grace@Example.com").await.unwrap();
    assert_eq!(found.map(|(found, _)| found), Some(id));
    assert_eq!(platform::users::email_of(&mut connection, id).await.unwrap().as_deref(), Some("grace@example.com"));
}
