//! The scenes tests start from, built through the real API (so a fixture
//! cannot drift from what the API allows): a clinic with opening hours, its
//! staff, a vet with a weekly schedule, a service, an owner with a pet.
//!
//! The App must mount the routes a builder calls (the clinics routes for a
//! clinic, the pets routes for a pet); a missing one fails loudly. Ids are the
//! strings the API returned.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{TestApp, TestUser};

/// A clinic profile at a point, in a time zone.
pub fn clinic_profile(name: &str, latitude: f64, longitude: f64, time_zone: &str) -> Value {
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

/// A platform admin.
pub async fn admin(app: &TestApp) -> TestUser {
    app.user(Role::PlatformAdmin).await
}

/// Creates a clinic (as a platform admin); returns its id.
pub async fn clinic(app: &TestApp, admin: &TestUser, profile: Value) -> String {
    let created = app.api(Method::POST, "/clinics").by(admin).json(&profile).expect(201).await;
    id_of(&created)
}

/// Opens `clinic` every day from `opens` to `closes` (`HH:MM`).
pub async fn open_every_day(app: &TestApp, admin: &TestUser, clinic: &str, opens: &str, closes: &str) {
    let week: Vec<Value> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "opens": opens, "closes": closes })).collect();
    app.api(Method::PUT, &format!("/clinics/{clinic}/hours"))
        .by(admin)
        .json(&json!({ "weekly": week, "exceptions": [] }))
        .expect(200)
        .await;
}

/// A new user working at `clinic` with `role` (added by `admin`).
pub async fn staff(app: &TestApp, admin: &TestUser, clinic: &str, role: Role) -> TestUser {
    let user = app.user(role).await;
    let addition = json!({ "email": format!("{}@example.com", user.subject), "role": role });
    app.api(Method::POST, &format!("/clinics/{clinic}/staff")).by(admin).json(&addition).expect(200).await;
    user
}

/// A vet of `clinic` with a profile named `name`, working `starts`-`ends` every day.
pub async fn vet(app: &TestApp, admin: &TestUser, clinic: &str, name: &str, starts: &str, ends: &str) -> TestUser {
    let vet = staff(app, admin, clinic, Role::Veterinarian).await;
    app.api(Method::PUT, "/vets/me").by(&vet).json(&json!({ "display_name": name })).expect(200).await;
    let hours: Vec<Value> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "starts": starts, "ends": ends })).collect();
    app.api(Method::PUT, &format!("/vets/{}/clinics/{clinic}/hours", vet.user_id))
        .by(&vet)
        .json(&json!({ "hours": hours }))
        .expect(200)
        .await;
    vet
}

/// Adds the service `offer` to `clinic`; returns its id.
pub async fn service(app: &TestApp, admin: &TestUser, clinic: &str, offer: Value) -> String {
    let name = offer["name"].as_str().expect("the offer has a name").to_owned();
    let listed = app.api(Method::POST, &format!("/clinics/{clinic}/services")).by(admin).json(&offer).expect(201).await;
    let created = listed
        .as_array()
        .and_then(|services| services.iter().find(|service| service["offer"]["name"] == name.as_str()))
        .expect("the new service is listed");
    id_of(created)
}

/// A pet profile of `species` named `name`.
pub fn pet_profile(name: &str, species: &str) -> Value {
    json!({ "name": name, "species": species, "breed": "Mixed", "sex": "male", "birth_date": "2021-04-01" })
}

/// Creates a pet owned by `owner`; returns its id.
pub async fn pet(app: &TestApp, owner: &TestUser, profile: Value) -> String {
    id_of(&app.api(Method::POST, "/pets").by(owner).json(&profile).expect(201).await)
}

/// A new pet owner with a dog named `name`.
pub async fn owner_with_dog(app: &TestApp, name: &str) -> (TestUser, String) {
    let owner = app.user(Role::PetOwner).await;
    let dog = pet(app, &owner, pet_profile(name, "dog")).await;
    (owner, dog)
}

/// The owner registers `pet` with `clinic` (a care relationship).
pub async fn register_with_clinic(app: &TestApp, owner: &TestUser, pet: &str, clinic: &str) {
    app.api(Method::POST, &format!("/pets/{pet}/clinics"))
        .by(owner)
        .json(&json!({ "clinic_id": clinic }))
        .expect(200)
        .await;
}

/// The `id` of a created resource.
pub fn id_of(created: &Value) -> String {
    created["id"].as_str().unwrap_or_else(|| panic!("no id in {created}")).to_owned()
}
