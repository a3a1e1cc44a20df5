//! A clinic in Berlin with a vet, a receptionist and a consultation, an owner
//! with a dog: the scene every scheduling test starts from.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use kernel::Role;
use platform::Settings;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, expect};

pub const BERLIN: Tz = chrono_tz::Europe::Berlin;

/// The App over the clinics, pets and appointments routes.
pub async fn app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::spawn_with(
        |routes| {
            clinics::routes(routes);
            pets::routes(routes);
            appointments::routes(routes);
        },
        adjust,
    )
    .await
}

/// Everyone and everything a scheduling test needs.
pub struct Scene {
    pub app: TestApp,
    pub admin: TestUser,
    pub clinic: String,
    pub vet: TestUser,
    pub receptionist: TestUser,
    pub service: String,
    pub owner: TestUser,
    pub pet: String,
}

impl Scene {
    /// The default scene (a 30-minute consultation with a 10-minute clean-up).
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// The scene over adjusted settings.
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let app = app_with(adjust).await;
        let admin = app.user(Role::PlatformAdmin).await;
        let profile = json!({
            "name": "Tiergarten Vets", "phone": "+493012345678",
            "address": { "line1": "Invalidenstr. 1", "city": "Berlin", "country": "DE" },
            "location": { "latitude": 52.52, "longitude": 13.40 },
            "time_zone": "Europe/Berlin", "currency": "EUR", "cancellation_notice_hours": 24,
        });
        let created = expect(app.call(Method::POST, "/api/v1/clinics", &admin.token, Some(profile)).await, 201).await;
        let clinic = created["id"].as_str().unwrap().to_owned();
        let week: Vec<Value> =
            (1..=7).map(|day| json!({ "weekday": day, "opens": "07:00", "closes": "20:00" })).collect();
        let hours = json!({ "weekly": week, "exceptions": [] });
        expect(app.call(Method::PUT, &format!("/api/v1/clinics/{clinic}/hours"), &admin.token, Some(hours)).await, 200)
            .await;
        let vet = vet(&app, &admin, &clinic, "Dr Weber").await;
        let receptionist = staff(&app, &admin, &clinic, Role::Receptionist).await;
        let service = service(
            &app,
            &admin,
            &clinic,
            json!({
                "kind": "consultation", "name": "Consultation", "duration_minutes": 30,
                "buffer_after_minutes": 10, "price": "45.00",
            }),
        )
        .await;
        let owner = app.user(Role::PetOwner).await;
        let dog = json!({ "name": "Rex", "species": "dog" });
        let created = expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(dog)).await, 201).await;
        let pet = created["id"].as_str().unwrap().to_owned();
        Self { app, admin, clinic, vet, receptionist, service, owner, pet }
    }

    /// A booking body for `starts_at` with this scene's pet, service and vet.
    pub fn booking(&self, starts_at: DateTime<Utc>) -> Value {
        json!({ "pet_id": self.pet, "service_id": self.service, "vet_id": self.vet.user_id, "starts_at": starts_at })
    }

    /// Books as `who`; returns the response.
    pub async fn book(&self, who: &TestUser, body: Value) -> reqwest::Response {
        self.app.call(Method::POST, "/api/v1/appointments", &who.token, Some(body)).await
    }

    /// Moves an appointment to `status` as `who`.
    pub async fn move_to(&self, who: &TestUser, appointment: &str, status: &str) -> reqwest::Response {
        let path = format!("/api/v1/appointments/{appointment}/transitions");
        self.app.call(Method::POST, &path, &who.token, Some(json!({ "to": status }))).await
    }

    /// Another owner with a dog of their own.
    pub async fn another_owner(&self) -> (TestUser, String) {
        let owner = self.app.user(Role::PetOwner).await;
        let dog = json!({ "name": "Bello", "species": "dog" });
        let created = expect(self.app.call(Method::POST, "/api/v1/pets", &owner.token, Some(dog)).await, 201).await;
        (owner, created["id"].as_str().unwrap().to_owned())
    }
}

/// A user working at `clinic` with `role`.
pub async fn staff(app: &TestApp, admin: &TestUser, clinic: &str, role: Role) -> TestUser {
    let user = app.user(role).await;
    let body = json!({ "email": format!("{}@example.com", user.subject), "role": role });
    expect(app.call(Method::POST, &format!("/api/v1/clinics/{clinic}/staff"), &admin.token, Some(body)).await, 200)
        .await;
    user
}

/// A vet of `clinic` with a profile, working 09:00-17:00 every day.
pub async fn vet(app: &TestApp, admin: &TestUser, clinic: &str, name: &str) -> TestUser {
    let vet = staff(app, admin, clinic, Role::Veterinarian).await;
    expect(app.call(Method::PUT, "/api/v1/vets/me", &vet.token, Some(json!({ "display_name": name }))).await, 200)
        .await;
    let hours: Vec<Value> = (1..=7).map(|day| json!({ "weekday": day, "starts": "09:00", "ends": "17:00" })).collect();
    let path = format!("/api/v1/vets/{}/clinics/{clinic}/hours", vet.user_id);
    expect(app.call(Method::PUT, &path, &vet.token, Some(json!({ "hours": hours }))).await, 200).await;
    vet
}

/// Adds a service; returns its id.
pub async fn service(app: &TestApp, admin: &TestUser, clinic: &str, offer: Value) -> String {
    let name = offer["name"].as_str().unwrap().to_owned();
    let listed = expect(
        app.call(Method::POST, &format!("/api/v1/clinics/{clinic}/services"), &admin.token, Some(offer)).await,
        201,
    )
    .await;
    let created = listed.as_array().unwrap().iter().find(|service| service["offer"]["name"] == name.as_str()).unwrap();
    created["id"].as_str().unwrap().to_owned()
}

/// `days` from today at `hh:mm` on Berlin's clocks.
pub fn berlin_at(days: i64, time: &str) -> DateTime<Utc> {
    let day = Utc::now().with_timezone(&BERLIN).date_naive() + Duration::days(days);
    let local = day.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap());
    local.and_local_timezone(BERLIN).earliest().unwrap().with_timezone(&Utc)
}

/// Runs SQL on the test's database.
pub async fn sql(app: &TestApp, statement: &str) {
    use diesel_async::SimpleAsyncConnection;
    app.db.connect().await.batch_execute(statement).await.unwrap();
}
