//! The App over the clinics routes, and builders for clinics and staff.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, expect};

/// A server over the clinics routes (and uploads).
pub async fn app() -> TestApp {
    TestApp::spawn(|routes| {
        clinics::routes(routes);
        media::routes(routes);
    })
    .await
}

/// A clinic profile at a point.
pub fn profile(name: &str, latitude: f64, longitude: f64, time_zone: &str) -> Value {
    json!({
        "name": name,
        "description": "Small animals and exotics.",
        "phone": "+33140000000",
        "email": "desk@clinic.example",
        "website": "https://clinic.example",
        "address": { "line1": "1 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR" },
        "location": { "latitude": latitude, "longitude": longitude },
        "time_zone": time_zone,
        "currency": "EUR",
        "emergency_capable": false,
    })
}

/// A platform admin of `app`.
pub async fn admin(app: &TestApp) -> TestUser {
    app.user(Role::PlatformAdmin).await
}

/// Creates a clinic and returns its id.
pub async fn clinic(app: &TestApp, admin: &TestUser, profile: Value) -> String {
    let created = expect(app.call(Method::POST, "/api/v1/clinics", &admin.token, Some(profile)).await, 201).await;
    created["id"].as_str().unwrap().to_owned()
}

/// A new user working at `clinic` with `role` (added by a platform admin).
pub async fn staff(app: &TestApp, admin: &TestUser, clinic: &str, role: Role) -> TestUser {
    let user = app.user(role).await;
    let body = json!({ "email": format!("{}@example.com", user.subject), "role": role });
    expect(app.call(Method::POST, &format!("/api/v1/clinics/{clinic}/staff"), &admin.token, Some(body)).await, 200)
        .await;
    user
}
