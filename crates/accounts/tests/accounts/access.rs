//! Who may call what (RELIABILITY 9, 10 and 13).

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{app, call, expect};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, even without a token.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Any signed-in user, for their own resource: another's id is 404.
    SignedInOwn,
    /// Any signed-in user, once: it erases the caller (each call is made by
    /// a fresh user of the role).
    SignedInErasing,
    /// Platform admins only.
    PlatformAdmin,
    /// Only a correctly signed webhook delivery.
    SignedWebhook,
    /// The clinic's admins and platform admins. This crate's tests have no
    /// clinic, so only the refusals are checked here; the gateway's
    /// permission table (`tests/api/permissions.rs`) has the clinic's admin.
    ClinicAdmins,
}

/// The policy of every route; a route in the spec but not here fails the test.
const POLICY: &[(&str, &str, Access)] = &[
    ("get", "/health/live", Access::Public),
    ("get", "/health/ready", Access::Public),
    ("get", "/api/v1/auth/session", Access::SignedIn),
    ("get", "/api/v1/users/me", Access::SignedIn),
    ("patch", "/api/v1/users/me", Access::SignedIn),
    ("delete", "/api/v1/users/me", Access::SignedInErasing),
    ("get", "/api/v1/users/me/export", Access::SignedIn),
    ("get", "/api/v1/users/me/exports/{id}", Access::SignedInOwn),
    ("get", "/api/v1/admin/users", Access::PlatformAdmin),
    ("get", "/api/v1/admin/users/{id}", Access::PlatformAdmin),
    ("put", "/api/v1/admin/users/{id}/role", Access::PlatformAdmin),
    ("post", "/api/v1/admin/users/{id}/deactivate", Access::PlatformAdmin),
    ("post", "/api/v1/admin/users/{id}/reactivate", Access::PlatformAdmin),
    ("get", "/api/v1/admin/audit-log", Access::PlatformAdmin),
    ("post", "/webhooks/clerk", Access::SignedWebhook),
    ("get", "/api/v1/clinics/{id}/api-keys", Access::ClinicAdmins),
    ("post", "/api/v1/clinics/{id}/api-keys", Access::ClinicAdmins),
    ("post", "/api/v1/clinics/{id}/api-keys/{key_id}/revoke", Access::ClinicAdmins),
    ("post", "/api/v1/clinics/{id}/api-keys/{key_id}/rotate", Access::ClinicAdmins),
];

#[tokio::test]
async fn every_route_and_method_follows_the_policy_for_every_role() {
    let app = app().await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let target = app.user(Role::PetOwner).await;
    let mut callers = Vec::new();
    for role in [Role::PetOwner, Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin, Role::PlatformAdmin] {
        callers.push((role, app.user(role).await));
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let access = POLICY
                .iter()
                .find(|(m, p, _)| m == method && p == path)
                .map(|(_, _, access)| *access)
                .unwrap_or_else(|| panic!("{method} {path} is not in the policy table"));
            let concrete = path
                .replace("{id}", &target.user_id.to_string())
                .replace("{key_id}", &uuid::Uuid::now_v7().to_string());
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = match (method.as_str(), path.as_str()) {
                ("post", "/api/v1/clinics/{id}/api-keys") => {
                    Some(json!({ "name": "Key", "scopes": ["patients:read"] }))
                }
                ("put", _) => Some(json!({ "role": "pet_owner" })),
                ("patch", _) => Some(json!({})),
                _ => None,
            };
            let anonymous = app.client.request(http_method.clone(), app.url(&concrete)).send().await.unwrap().status();
            match access {
                Access::Public => assert!(anonymous.is_success(), "{method} {path} anonymous: {anonymous}"),
                Access::SignedWebhook => assert_eq!(anonymous, 400, "{method} {path} unsigned"),
                Access::SignedIn
                | Access::SignedInOwn
                | Access::SignedInErasing
                | Access::PlatformAdmin
                | Access::ClinicAdmins => {
                    assert_eq!(anonymous, 401, "{method} {path} anonymous")
                }
            }
            for (role, caller) in &callers {
                let token = match access {
                    Access::SignedInErasing => app.user(*role).await.token,
                    _ => caller.token.clone(),
                };
                let status = call(&app, http_method.clone(), &concrete, &token, body.clone()).await.status();
                let allowed = match access {
                    Access::PlatformAdmin => *role == Role::PlatformAdmin,
                    _ => true,
                };
                if access == Access::ClinicAdmins && *role == Role::PlatformAdmin {
                    assert!(!status.is_server_error(), "{method} {path} as {role}: {status}");
                } else if access == Access::ClinicAdmins {
                    assert_eq!(status, 403, "{method} {path} as {role}, not the clinic's admin");
                } else if access == Access::SignedWebhook {
                    assert_eq!(status, 400, "{method} {path} as {role} without a signature");
                } else if access == Access::SignedInOwn {
                    assert_eq!(status, 404, "{method} {path} as {role}, someone else's");
                } else if allowed {
                    assert!(status.is_success(), "{method} {path} as {role}: {status}");
                } else {
                    assert_eq!(status, 403, "{method} {path} as {role}");
                }
            }
        }
    }
}

#[tokio::test]
async fn claims_saying_admin_do_not_make_a_pet_owner_an_admin() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let mut claims = serde_json::to_value(app.tokens.claims_for(&owner.subject)).unwrap();
    claims["role"] = json!("platform_admin");
    claims["public_metadata"] = json!({ "role": "platform_admin" });
    claims["org_role"] = json!("admin");
    let token = app.tokens.sign(&claims);
    expect(call(&app, Method::GET, "/api/v1/admin/users", &token, None).await, 403).await;
    let session = expect(call(&app, Method::GET, "/api/v1/auth/session", &token, None).await, 200).await;
    assert_eq!(session["role"], "pet_owner");
}

#[tokio::test]
async fn a_deactivated_user_gets_401_with_a_valid_token_and_200_after_reactivation() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let owner = app.user(Role::PetOwner).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await, 200).await;

    let path = format!("/api/v1/admin/users/{}/deactivate", owner.user_id);
    expect(call(&app, Method::POST, &path, &admin.token, None).await, 200).await;
    let refused = call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await;
    assert_eq!(refused.headers()["www-authenticate"], r#"Bearer error="invalid_token""#);
    expect(refused, 401).await;

    let path = format!("/api/v1/admin/users/{}/reactivate", owner.user_id);
    expect(call(&app, Method::POST, &path, &admin.token, None).await, 200).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await, 200).await;
}
