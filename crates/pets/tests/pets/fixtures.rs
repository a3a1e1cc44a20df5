//! The App over the pets routes (with uploads, and the clinics a pet is
//! cared for at), and builders for pets, clinics and staff through the API.

use kernel::{ClinicId, Role};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{self, clinic_profile};
use testkit::{TestApp, TestUser, expect};

pub use testkit::fixtures::pet;

/// A server over the pets, media and clinics routes.
pub async fn app() -> TestApp {
    TestApp::spawn(|config| {
        let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
        let (pets, clinics): (pets::Settings, clinics::Settings) =
            (config.section().unwrap(), config.section().unwrap());
        move |routes: &mut platform::Routes| {
            pets::routes(routes, &pets, &uploads);
            media::routes(routes, &uploads);
            clinics::routes(routes, &clinics, &uploads);
        }
    })
    .await
}

/// A minimal pet profile.
pub fn dog(name: &str) -> Value {
    json!({ "name": name, "species": "dog", "breed": "Beagle", "sex": "male", "birth_date": "2021-04-01" })
}

/// A clinic in Lyon.
pub async fn clinic(app: &TestApp, name: &str) -> ClinicId {
    let admin = fixtures::admin(app).await;
    fixtures::clinic(app, &admin, clinic_profile(name, 45.76, 4.83, "Europe/Paris")).await.parse().unwrap()
}

/// A user working at `clinic` with `role` there.
pub async fn staff(app: &TestApp, clinic: ClinicId, role: Role) -> TestUser {
    let admin = fixtures::admin(app).await;
    fixtures::staff(app, &admin, &clinic.to_string(), role).await
}

/// The owner registers `pet` with `clinic`.
pub async fn register(app: &TestApp, owner: &TestUser, pet: &str, clinic: ClinicId) {
    let body = json!({ "clinic_id": clinic });
    expect(app.call(Method::POST, &format!("/api/v1/pets/{pet}/clinics"), &owner.token, Some(body)).await, 200).await;
}

/// A vaccination record draft.
pub fn vaccination(vaccine: &str, given: &str, next_due: Option<&str>, clinic: Option<ClinicId>) -> Value {
    json!({
        "record_date": given,
        "details": { "type": "vaccination", "vaccine": vaccine, "manufacturer": "Zoetis", "lot": "A123", "next_due": next_due },
        "clinic_id": clinic,
        "staff_note": clinic.map(|_| "Nervous with needles; muzzle advised."),
    })
}

/// Creates a record; returns its body.
pub async fn record(app: &TestApp, author: &TestUser, pet: &str, draft: Value) -> Value {
    expect(app.call(Method::POST, &format!("/api/v1/pets/{pet}/records"), &author.token, Some(draft)).await, 201).await
}

/// An owner's dog Rex, registered with the clinic "Here", and a vet of it.
pub struct Patient {
    pub owner: TestUser,
    pub rex: String,
    pub here: ClinicId,
    pub vet: TestUser,
}

/// [`Patient`], built through the API.
pub async fn patient(app: &TestApp) -> Patient {
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(app, &owner, dog("Rex")).await;
    let here = clinic(app, "Here").await;
    let vet = staff(app, here, Role::Veterinarian).await;
    register(app, &owner, &rex, here).await;
    Patient { owner, rex, here, vet }
}
