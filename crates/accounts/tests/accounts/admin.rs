//! User administration and the audit log.

use std::collections::HashSet;

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::TestApp;

use crate::{app, call, expect};

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    expect(call(app, Method::GET, path, token, None).await, 200).await
}

#[tokio::test]
async fn users_are_listed_newest_first_with_a_cursor_that_visits_each_once() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    for _ in 0..4 {
        app.user(Role::PetOwner).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/admin/users?limit=2".to_owned();
    loop {
        let page = get(&app, &admin.token, &path).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|user| user["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/admin/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5, "a user appeared twice");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "not newest first");
}

#[tokio::test]
async fn users_can_be_filtered_by_role_and_active_flag_and_searched() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let vet = app.user(Role::Veterinarian).await;
    let owner = app.user(Role::PetOwner).await;
    let update = Some(json!({ "first_name": "Bartholomew", "last_name": "Zed" }));
    expect(call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, update).await, 200).await;

    let vets = get(&app, &admin.token, "/api/v1/admin/users?role=veterinarian").await;
    assert_eq!(vets["items"].as_array().unwrap().len(), 1);
    assert_eq!(vets["items"][0]["id"], vet.user_id.to_string());

    let found = get(&app, &admin.token, "/api/v1/admin/users?q=tholom").await;
    assert_eq!(found["items"][0]["id"], owner.user_id.to_string());
    let by_email = get(&app, &admin.token, &format!("/api/v1/admin/users?q={}", vet.subject)).await;
    assert_eq!(by_email["items"][0]["id"], vet.user_id.to_string());
    let wildcard = get(&app, &admin.token, "/api/v1/admin/users?q=%25").await;
    assert!(wildcard["items"].as_array().unwrap().is_empty(), "% must match itself, not everything");

    expect(
        call(&app, Method::POST, &format!("/api/v1/admin/users/{}/deactivate", vet.user_id), &admin.token, None).await,
        200,
    )
    .await;
    let inactive = get(&app, &admin.token, "/api/v1/admin/users?is_active=false").await;
    assert_eq!(inactive["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_role_change_is_audited_and_seen_by_the_users_next_request() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let user = app.user(Role::PetOwner).await;
    expect(call(&app, Method::GET, "/api/v1/auth/session", &user.token, None).await, 200).await;

    let path = format!("/api/v1/admin/users/{}/role", user.user_id);
    let changed =
        expect(call(&app, Method::PUT, &path, &admin.token, Some(json!({ "role": "veterinarian" }))).await, 200).await;
    assert_eq!(changed["role"], "veterinarian");
    let session = get(&app, &user.token, "/api/v1/auth/session").await;
    assert_eq!(session["role"], "veterinarian");

    let audit = get(&app, &admin.token, &format!("/api/v1/admin/audit-log?target_id={}", user.user_id)).await;
    let entry = &audit["items"][0];
    assert_eq!(entry["action"], "user.role_changed");
    assert_eq!(entry["actor_id"], admin.user_id.to_string());
    assert_eq!(entry["changes"], json!({ "role": { "from": "pet_owner", "to": "veterinarian" } }));
    assert!(entry["request_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let own = format!("/api/v1/admin/users/{}", admin.user_id);
    expect(
        call(&app, Method::PUT, &format!("{own}/role"), &admin.token, Some(json!({ "role": "pet_owner" }))).await,
        409,
    )
    .await;
    expect(call(&app, Method::POST, &format!("{own}/deactivate"), &admin.token, None).await, 409).await;
}

#[tokio::test]
async fn unknown_and_malformed_ids_and_roles_are_404_400_and_400() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let missing = format!("/api/v1/admin/users/{}", uuid::Uuid::now_v7());
    expect(call(&app, Method::GET, &missing, &admin.token, None).await, 404).await;
    expect(call(&app, Method::GET, "/api/v1/admin/users/not-a-uuid", &admin.token, None).await, 400).await;
    let role = format!("/api/v1/admin/users/{}/role", admin.user_id);
    expect(call(&app, Method::PUT, &role, &admin.token, Some(json!({ "role": "emperor" }))).await, 400).await;
    expect(call(&app, Method::GET, "/api/v1/admin/users?role=emperor", &admin.token, None).await, 400).await;
    expect(call(&app, Method::GET, "/api/v1/admin/users?cursor=forged", &admin.token, None).await, 400).await;
    let clamped = get(&app, &admin.token, "/api/v1/admin/users?limit=1000000").await;
    assert!(clamped["items"].as_array().unwrap().len() <= 100);
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let user = app.user(Role::PetOwner).await;
    let path = format!("/api/v1/admin/users/{}/role", user.user_id);
    expect(call(&app, Method::PUT, &path, &admin.token, Some(json!({ "role": "receptionist" }))).await, 200).await;
    let mut connection = app.db.connect().await;
    use diesel_async::SimpleAsyncConnection;
    assert!(connection.batch_execute("UPDATE audit_log SET action = 'forged'").await.is_err());
    assert!(connection.batch_execute("DELETE FROM audit_log").await.is_err());
}
