//! `/users/me`: profile, preferences, mass assignment, export.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::json;

use crate::{app, call, expect};
use db::schema::users;

#[tokio::test]
async fn a_first_time_subject_is_provisioned_as_a_pet_owner() {
    let app = app().await;
    let me = expect(app.get_as("user_newcomer", "/api/v1/users/me").await, 200).await;
    assert_eq!(me["role"], "pet_owner");
    assert_eq!(me["is_active"], true);
    assert_eq!(me["preferences"]["time_zone"], "UTC");
}

#[tokio::test]
async fn the_profile_and_preferences_can_be_changed_and_are_audited() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let update = json!({
        "first_name": "  Ada ",
        "last_name": "Lovelace",
        "phone": "+33612345678",
        "preferences": { "time_zone": "Europe/Paris", "locale": "fr-FR" }
    });
    let me = expect(call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, Some(update)).await, 200).await;
    assert_eq!((me["first_name"].as_str(), me["phone"].as_str()), (Some("Ada"), Some("+33612345678")));
    assert_eq!(me["preferences"]["time_zone"], "Europe/Paris");
    assert_eq!(me["preferences"]["locale"], "fr-FR");

    let cleared = call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, Some(json!({ "phone": null }))).await;
    assert_eq!(expect(cleared, 200).await["phone"], serde_json::Value::Null);

    let export = expect(call(&app, Method::GET, "/api/v1/users/me/export", &owner.token, None).await, 200).await;
    let trail = export["audit_trail"].as_array().unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0]["action"], "user.profile_updated");
    assert!(trail[0]["changes"]["fields"].as_array().unwrap().contains(&json!("phone")));
    assert!(!trail[0].to_string().contains("+33612345678"), "contact details were copied into the audit log");
}

#[tokio::test]
async fn mass_assignment_is_refused_and_changes_nothing() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    for field in [
        json!({ "role": "platform_admin" }),
        json!({ "is_active": false }),
        json!({ "clerk_id": "user_someone_else" }),
        json!({ "id": uuid::Uuid::now_v7() }),
        json!({ "email": "new@example.com" }),
        json!({ "first_name": "Eve", "role": "platform_admin" }),
    ] {
        let response = call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, Some(field.clone())).await;
        assert_eq!(response.status(), 400, "{field} was accepted");
    }
    let mut connection = app.db.connect().await;
    let (role, active, clerk_id, first_name): (Role, bool, String, Option<String>) = users::table
        .find(owner.user_id)
        .select((users::role, users::is_active, users::clerk_id, users::first_name))
        .first(&mut connection)
        .await
        .unwrap();
    assert_eq!((role, active, clerk_id.as_str(), first_name), (Role::PetOwner, true, owner.subject.as_str(), None));
}

#[tokio::test]
async fn invalid_values_are_422_with_the_fields() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let update = json!({
        "first_name": "x".repeat(101),
        "last_name": "   ",
        "phone": "0612345678",
        "preferences": { "time_zone": "Mars/Olympus", "locale": "klingon" }
    });
    let body = expect(call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, Some(update)).await, 422).await;
    let fields = body["error"]["details"]["fields"].as_object().unwrap();
    for field in ["first_name", "last_name", "phone", "preferences.time_zone", "preferences.locale"] {
        assert!(fields.contains_key(field), "{field} not reported in {body}");
    }
}

#[tokio::test]
async fn the_export_holds_the_callers_data_only() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let other = app.user(Role::PetOwner).await;
    let update = Some(json!({ "first_name": "Other" }));
    expect(call(&app, Method::PATCH, "/api/v1/users/me", &other.token, update).await, 200).await;
    let export = expect(call(&app, Method::GET, "/api/v1/users/me/export", &owner.token, None).await, 200).await;
    assert_eq!(export["account"]["profile"]["id"], owner.user_id.to_string());
    assert_eq!(export["account"]["clerk_id"], owner.subject);
    assert_eq!(export["account"]["profile"]["email"], format!("{}@example.com", owner.subject));
    assert!(export["audit_trail"].as_array().unwrap().is_empty());
    assert!(!export.to_string().contains(&other.subject));
}

#[tokio::test]
async fn deleting_my_account_erases_the_profile_signs_me_out_and_a_later_provider_deletion_changes_nothing() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let update = Some(json!({ "first_name": "Ada", "last_name": "Lovelace", "phone": "+33612345678" }));
    expect(call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, update).await, 200).await;

    expect(call(&app, Method::DELETE, "/api/v1/users/me", &owner.token, None).await, 204).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await, 401).await;
    let erased = || async {
        let mut connection = app.db.connect().await;
        users::table
            .find(owner.user_id)
            .select((users::email, users::first_name, users::phone, users::is_active, users::deleted_at.is_not_null()))
            .first::<(Option<String>, Option<String>, Option<String>, bool, bool)>(&mut connection)
            .await
            .unwrap()
    };
    assert_eq!(erased().await, (None, None, None, false, true));

    // Clerk's own deletion follows: acknowledged, nothing comes back.
    let deleted = crate::webhooks::deleted_event(&owner.subject);
    expect(crate::webhooks::deliver(&app, "msg_after_api_erasure", deleted).await, 204).await;
    assert_eq!(erased().await, (None, None, None, false, true));
    let mut connection = app.db.connect().await;
    let actors: Vec<Option<kernel::UserId>> = db::schema::audit_log::table
        .filter(db::schema::audit_log::action.eq("user.erased"))
        .order(db::schema::audit_log::id)
        .select(db::schema::audit_log::actor_id)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(actors, [Some(owner.user_id), None], "the erasure by the user, then by the provider");
}
