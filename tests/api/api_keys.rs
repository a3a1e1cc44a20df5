//! A clinic's API keys through the whole gateway: the key acts as its clinic
//! on the routes its scopes open, and nowhere else; revoked, expired and
//! rotated keys; the secret shown once and kept nowhere.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, fixtures};

/// A clinic with a vet and a service, an owner's dog registered there, and
/// the clinic's admin; a second clinic with its own patient.
struct Scene {
    app: TestApp,
    clinic: String,
    clinic_admin: testkit::TestUser,
    vet: testkit::TestUser,
    service: String,
    pet: String,
    elsewhere: String,
    pet_elsewhere: String,
}

async fn scene() -> Scene {
    scene_with(|_| {}).await
}

async fn scene_with(adjust: impl FnOnce(&mut platform::Settings)) -> Scene {
    let app = TestApp::spawn_with(crate::modules, adjust).await;
    let admin = fixtures::admin(&app).await;
    let clinic = fixtures::clinic(&app, &admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    let elsewhere =
        fixtures::clinic(&app, &admin, fixtures::clinic_profile("There", 45.76, 4.84, "Europe/Paris")).await;
    fixtures::open_every_day(&app, &admin, &clinic, "00:00", "23:59").await;
    let vet = fixtures::vet(&app, &admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let clinic_admin = fixtures::staff(&app, &admin, &clinic, Role::ClinicAdmin).await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    let service = fixtures::service(&app, &admin, &clinic, offer).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    fixtures::register_with_clinic(&app, &owner, &pet, &clinic).await;
    let (other_owner, pet_elsewhere) = fixtures::owner_with_dog(&app, "Bella").await;
    fixtures::register_with_clinic(&app, &other_owner, &pet_elsewhere, &elsewhere).await;
    Scene { app, clinic, clinic_admin, vet, service, pet, elsewhere, pet_elsewhere }
}

impl Scene {
    /// A key of the clinic with `scopes`, as the admin gets it back.
    async fn key(&self, scopes: &[&str]) -> Value {
        self.app
            .api(Method::POST, &format!("/clinics/{}/api-keys", self.clinic))
            .by(&self.clinic_admin)
            .json(&json!({ "name": "Practice software", "scopes": scopes }))
            .expect(201)
            .await
    }

    /// `method path` with `key` as the bearer token; the status.
    async fn with_key(&self, key: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        let mut request = self.app.api(method, path).bearer(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.status().as_u16()
    }

    /// A free slot of the vet `days` ahead.
    async fn slot(&self, days: i64) -> Value {
        let day = chrono::Utc::now() + chrono::Duration::days(days);
        let (from, to) =
            (day.format("%Y-%m-%dT00:00:00Z"), (day + chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z"));
        let path = format!("/availability?clinic_id={}&service_id={}&from={from}&to={to}", self.clinic, self.service);
        let slots: Value = self.app.api(Method::GET, &path).expect_json(200).await;
        slots["slots"][0]["starts_at"].clone()
    }
}

/// The clinic `id`'s calendar of the coming week.
fn calendar_of(clinic: &str) -> String {
    let from = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z");
    let to = (chrono::Utc::now() + chrono::Duration::days(7)).format("%Y-%m-%dT00:00:00Z");
    format!("/clinics/{clinic}/calendar?from={from}&to={to}")
}

fn secret(issued: &Value) -> &str {
    issued["secret"].as_str().unwrap()
}

#[tokio::test]
async fn a_key_acts_as_its_clinic_on_the_routes_its_scopes_open_and_nowhere_else() {
    let scene = scene().await;
    let issued = scene.key(&["appointments:read", "appointments:write", "patients:read"]).await;
    let key = secret(&issued);
    assert!(key.starts_with(issued["key"]["prefix"].as_str().unwrap()), "{issued}");

    // Its clinic's patients and their records, its calendar: yes.
    for path in [
        format!("/clinics/{}/patients", scene.clinic),
        format!("/pets/{}", scene.pet),
        format!("/pets/{}/records", scene.pet),
        calendar_of(&scene.clinic),
    ] {
        assert_eq!(scene.with_key(key, Method::GET, &path, None).await, 200, "{path}");
    }
    // Another clinic's: a patient it does not know, a calendar not its own.
    assert_eq!(scene.with_key(key, Method::GET, &format!("/pets/{}", scene.pet_elsewhere), None).await, 404);
    let calendar_elsewhere = calendar_of(&scene.elsewhere);
    assert_eq!(scene.with_key(key, Method::GET, &calendar_elsewhere, None).await, 403);

    // It books as the clinic does (confirmed at once), and the audit log names its account.
    let booking = json!({ "pet_id": scene.pet, "service_id": scene.service, "vet_id": scene.vet.user_id,
                          "starts_at": scene.slot(2).await });
    let booked: Value = scene.app.api(Method::POST, "/appointments").bearer(key).json(&booking).expect_json(201).await;
    assert_eq!(booked["status"], "confirmed", "{booked}");
    let mut connection = scene.app.db.connect().await;
    let actor: Option<uuid::Uuid> = db::schema::audit_log::table
        .filter(db::schema::audit_log::action.eq("appointment.booked"))
        .select(db::schema::audit_log::actor_id)
        .first(&mut connection)
        .await
        .unwrap();
    assert_eq!(actor.map(|id| id.to_string()), issued["key"]["acts_as"].as_str().map(str::to_owned));

    // Routes no scope of it opens, and routes keys never call: 403.
    let service = format!("/clinics/{}/services", scene.clinic);
    let offer = json!({ "kind": "consultation", "name": "Dental", "duration_minutes": 30, "price": "40.00" });
    assert_eq!(scene.with_key(key, Method::POST, &service, Some(offer)).await, 403, "no catalog:write");
    assert_eq!(scene.with_key(key, Method::GET, "/users/me", None).await, 403);
    let keys = format!("/clinics/{}/api-keys", scene.clinic);
    assert_eq!(scene.with_key(key, Method::GET, &keys, None).await, 403, "a key cannot manage keys");
    // A route spelled with percent-escapes is the route the router serves.
    let escaped = format!("/clinics/{}/%61pi-keys", scene.clinic);
    assert_eq!(scene.with_key(key, Method::GET, &escaped, None).await, 403, "escaped, still closed to keys");
    let escaped = format!("/clinics/{}/%73ervices", scene.clinic);
    let offer = json!({ "kind": "consultation", "name": "Dental", "duration_minutes": 30, "price": "40.00" });
    assert_eq!(scene.with_key(key, Method::POST, &escaped, Some(offer)).await, 403, "escaped, still out of scope");
    // An unknown path is still 404, not a question of scope.
    assert_eq!(scene.with_key(key, Method::GET, "/no-such-thing", None).await, 404);

    // Its use is recorded (time and address), its secret never listed.
    let listed: Value = scene.app.api(Method::GET, &keys).by(&scene.clinic_admin).expect_json(200).await;
    assert_eq!(listed[0]["id"], issued["key"]["id"]);
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    assert_eq!(listed[0]["last_used_from"], "127.0.0.1");
    assert!(listed[0].get("secret").is_none() && !listed.to_string().contains(key), "{listed}");
}

#[tokio::test]
async fn a_read_only_key_cannot_write_and_a_bad_key_is_401() {
    let scene = scene().await;
    let issued = scene.key(&["appointments:read"]).await;
    let key = secret(&issued);
    let booking = json!({ "pet_id": scene.pet, "service_id": scene.service, "starts_at": scene.slot(2).await });
    assert_eq!(scene.with_key(key, Method::POST, "/appointments", Some(booking)).await, 403);
    let patients = format!("/clinics/{}/patients", scene.clinic);
    assert_eq!(scene.with_key(key, Method::GET, &patients, None).await, 403, "no patients:read");

    // Another key's prefix with the wrong secret, a malformed key, an unknown one.
    let prefix = issued["key"]["prefix"].as_str().unwrap();
    let forged = format!("{prefix}_{}", "0".repeat(48));
    let calendar = calendar_of(&scene.clinic);
    for bad in [forged.as_str(), "vpk_nothex", "vpk_000000000000_000000000000000000000000000000000000000000000000"] {
        let response = scene.app.api(Method::GET, &calendar).bearer(bad).send().await;
        assert_eq!(response.status(), 401, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED", "{body}");
    }
    assert_eq!(scene.with_key(key, Method::GET, &calendar, None).await, 200);
}

#[tokio::test]
async fn a_revoked_or_expired_key_is_refused_at_once() {
    let scene = scene().await;
    let (revoked, expiring) = (scene.key(&["appointments:read"]).await, scene.key(&["appointments:read"]).await);
    let calendar = calendar_of(&scene.clinic);
    assert_eq!(scene.with_key(secret(&revoked), Method::GET, &calendar, None).await, 200);
    let revoke = format!("/clinics/{}/api-keys/{}/revoke", scene.clinic, revoked["key"]["id"].as_str().unwrap());
    let view: Value = scene.app.api(Method::POST, &revoke).by(&scene.clinic_admin).expect_json(200).await;
    assert!(view["revoked_at"].is_string());
    assert_eq!(scene.with_key(secret(&revoked), Method::GET, &calendar, None).await, 401, "no cache keeps it alive");
    let again: Value = scene.app.api(Method::POST, &revoke).by(&scene.clinic_admin).expect_json(200).await;
    assert_eq!(again["revoked_at"], view["revoked_at"], "revoking twice changes nothing");

    assert_eq!(scene.with_key(secret(&expiring), Method::GET, &calendar, None).await, 200);
    let mut connection = scene.app.db.connect().await;
    let id: uuid::Uuid = expiring["key"]["id"].as_str().unwrap().parse().unwrap();
    diesel::update(db::schema::api_keys::table.find(id))
        .set(db::schema::api_keys::expires_at.eq(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(scene.with_key(secret(&expiring), Method::GET, &calendar, None).await, 401);

    let rotate = format!("/clinics/{}/api-keys/{}/rotate", scene.clinic, revoked["key"]["id"].as_str().unwrap());
    scene.app.api(Method::POST, &rotate).by(&scene.clinic_admin).expect(409).await;
}

#[tokio::test]
async fn a_rotated_key_works_beside_its_replacement_until_its_grace_ends() {
    let scene = scene().await;
    let old = scene.key(&["appointments:read", "patients:read"]).await;
    let old_id = old["key"]["id"].as_str().unwrap();
    let rotate = format!("/clinics/{}/api-keys/{old_id}/rotate", scene.clinic);
    let new: Value = scene.app.api(Method::POST, &rotate).by(&scene.clinic_admin).expect_json(201).await;
    assert_ne!(secret(&new), secret(&old));
    assert_eq!(new["key"]["rotated_from"], old_id);
    assert_eq!(new["key"]["acts_as"], old["key"]["acts_as"], "the same account, so the same actor");
    assert_eq!(new["key"]["scopes"], json!(["appointments:read", "patients:read"]));

    let calendar = calendar_of(&scene.clinic);
    assert_eq!(scene.with_key(secret(&old), Method::GET, &calendar, None).await, 200, "within its grace");
    assert_eq!(scene.with_key(secret(&new), Method::GET, &calendar, None).await, 200);
    let listed: Value = scene
        .app
        .api(Method::GET, &format!("/clinics/{}/api-keys", scene.clinic))
        .by(&scene.clinic_admin)
        .expect_json(200)
        .await;
    let old_listed = listed.as_array().unwrap().iter().find(|key| key["id"] == old_id).unwrap();
    let until: chrono::DateTime<chrono::Utc> = old_listed["expires_at"].as_str().unwrap().parse().unwrap();
    let grace = until - chrono::Utc::now();
    assert!(grace > chrono::Duration::hours(23) && grace <= chrono::Duration::hours(24), "{grace}");

    // The grace period passes.
    let mut connection = scene.app.db.connect().await;
    let id: uuid::Uuid = old_id.parse().unwrap();
    diesel::update(db::schema::api_keys::table.find(id))
        .set(db::schema::api_keys::expires_at.eq(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(scene.with_key(secret(&old), Method::GET, &calendar, None).await, 401);
    assert_eq!(scene.with_key(secret(&new), Method::GET, &calendar, None).await, 200);
}

#[tokio::test]
async fn only_the_clinics_admins_manage_its_keys_and_the_audit_log_never_holds_a_secret() {
    let scene = scene().await;
    let keys = format!("/clinics/{}/api-keys", scene.clinic);
    let request = json!({ "name": "Lab sync", "scopes": ["patients:read"] });
    scene.app.api(Method::POST, &keys).by(&scene.vet).json(&request).expect(403).await;
    scene.app.api(Method::GET, &keys).by(&scene.vet).expect(403).await;
    let admin_elsewhere = scene.app.user(Role::ClinicAdmin).await;
    scene.app.api(Method::GET, &keys).by(&admin_elsewhere).expect(403).await;

    for (body, field) in [
        (json!({ "name": "Lab sync", "scopes": [] }), "scopes"),
        (json!({ "name": " ", "scopes": ["patients:read"] }), "name"),
        (
            json!({ "name": "Lab sync", "scopes": ["patients:read"], "expires_at": "2020-01-01T00:00:00Z" }),
            "expires_at",
        ),
    ] {
        let refused = scene.app.api(Method::POST, &keys).by(&scene.clinic_admin).json(&body).expect(422).await;
        assert!(refused["error"]["details"]["fields"][field].is_array(), "{refused}");
    }
    let unknown = json!({ "name": "Lab sync", "scopes": ["everything"] });
    let refused = scene.app.api(Method::POST, &keys).by(&scene.clinic_admin).json(&unknown).send().await;
    assert!(matches!(refused.status().as_u16(), 400 | 422), "{}", refused.status());

    let issued = scene.key(&["appointments:read"]).await;
    let other = scene.app.api(
        Method::POST,
        &format!("/clinics/{}/api-keys/{}/revoke", scene.elsewhere, issued["key"]["id"].as_str().unwrap()),
    );
    other.by(&scene.clinic_admin).expect(403).await;
    let rotate = format!("/clinics/{}/api-keys/{}/rotate", scene.clinic, issued["key"]["id"].as_str().unwrap());
    let rotated: Value = scene.app.api(Method::POST, &rotate).by(&scene.clinic_admin).expect_json(201).await;

    let mut connection = scene.app.db.connect().await;
    let entries: Vec<(String, Value)> = db::schema::audit_log::table
        .filter(db::schema::audit_log::target_type.eq("api_key"))
        .select((db::schema::audit_log::action, db::schema::audit_log::changes))
        .load(&mut connection)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["api_key.created", "api_key.rotated"]);
    let logged = serde_json::to_string(&entries.iter().map(|(_, changes)| changes).collect::<Vec<_>>()).unwrap();
    assert!(logged.contains(issued["key"]["prefix"].as_str().unwrap()), "{logged}");
    for key in [secret(&issued), secret(&rotated)] {
        let secret_part = key.rsplit('_').next().unwrap();
        assert!(!logged.contains(secret_part), "a secret reached the audit log");
    }
}

#[tokio::test]
async fn each_key_has_a_quota_of_its_own() {
    let scene = scene_with(|settings| {
        let limits = platform::config::ClassLimits { read: 3, write: 100, auth_sensitive: 2, webhook: 5 };
        settings.rate_limit.limits.insert("clinic_admin".into(), limits);
    })
    .await;
    let (first, second) = (scene.key(&["appointments:read"]).await, scene.key(&["appointments:read"]).await);
    let calendar = calendar_of(&scene.clinic);
    for _ in 0..3 {
        assert_eq!(scene.with_key(secret(&first), Method::GET, &calendar, None).await, 200);
    }
    assert_eq!(scene.with_key(secret(&first), Method::GET, &calendar, None).await, 429);
    assert_eq!(scene.with_key(secret(&second), Method::GET, &calendar, None).await, 200, "another key's quota");
    let keys = format!("/clinics/{}/api-keys", scene.clinic);
    scene.app.api(Method::GET, &keys).by(&scene.clinic_admin).expect(200).await;
}
