//! The App over the pets routes, and builders for pets, clinics and staff.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::{ClinicId, Role};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, expect};

/// A server over the pets routes (and uploads).
pub async fn app() -> TestApp {
    TestApp::spawn(|routes| {
        pets::routes(routes);
        media::routes(routes);
    })
    .await
}

/// A minimal pet profile.
pub fn dog(name: &str) -> Value {
    json!({ "name": name, "species": "dog", "breed": "Beagle", "sex": "male", "birth_date": "2021-04-01" })
}

/// Creates a pet owned by `owner`; returns its id.
pub async fn pet(app: &TestApp, owner: &TestUser, profile: Value) -> String {
    let created = expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(profile)).await, 201).await;
    created["id"].as_str().unwrap().to_owned()
}

/// A clinic (written directly: this crate's tests do not mount the clinics routes).
pub async fn clinic(app: &TestApp, name: &str) -> ClinicId {
    use db::schema::clinics;
    let id = ClinicId::new();
    let mut connection = app.db.connect().await;
    diesel::insert_into(clinics::table)
        .values((
            clinics::id.eq(id),
            clinics::name.eq(name),
            clinics::address_line1.eq("1 Main Street"),
            clinics::city.eq("Lyon"),
            clinics::country.eq("FR"),
            clinics::latitude.eq(45.76),
            clinics::longitude.eq(4.83),
            clinics::time_zone.eq("Europe/Paris"),
            clinics::currency.eq("EUR"),
        ))
        .execute(&mut connection)
        .await
        .unwrap();
    id
}

/// A user working at `clinic` with `role` there.
pub async fn staff(app: &TestApp, clinic: ClinicId, role: Role) -> TestUser {
    use db::schema::clinic_memberships;
    let user = app.user(role).await;
    let mut connection = app.db.connect().await;
    diesel::insert_into(clinic_memberships::table)
        .values((
            clinic_memberships::clinic_id.eq(clinic),
            clinic_memberships::user_id.eq(user.user_id),
            clinic_memberships::role.eq(role),
        ))
        .execute(&mut connection)
        .await
        .unwrap();
    user
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

/// Runs SQL on the test's database (time travel: ages a record, a reminder).
pub async fn sql(app: &TestApp, statement: &str) {
    use diesel_async::SimpleAsyncConnection;
    app.db.connect().await.batch_execute(statement).await.unwrap();
}
