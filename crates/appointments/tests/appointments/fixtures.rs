//! A clinic in Berlin with a vet, a receptionist and a consultation, an owner
//! with a dog: the scene every scheduling test starts from (built with
//! `testkit::fixtures`, through the real API).

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use kernel::Role;
use platform::Settings;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures;
use testkit::{TestApp, TestUser};

pub use testkit::fixtures::service;

pub const BERLIN: Tz = chrono_tz::Europe::Berlin;

/// The App over the clinics, pets, media and appointments routes, with
/// `adjust` applied to the scheduling settings and `shared` to the shared ones.
pub async fn app_with(adjust: impl FnOnce(&mut appointments::Settings), shared: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::spawn_with(
        |config| {
            let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
            let (clinics, pets): (clinics::Settings, pets::Settings) =
                (config.section().unwrap(), config.section().unwrap());
            let mut scheduling: appointments::Settings = config.section().unwrap();
            adjust(&mut scheduling);
            move |routes: &mut platform::Routes| {
                clinics::routes(routes, &clinics, &uploads);
                pets::routes(routes, &pets, &uploads);
                appointments::routes(routes, &scheduling);
            }
        },
        shared,
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
        Self::build(|_| {}, |_| {}).await
    }

    /// The scene with adjusted scheduling settings.
    pub async fn with(adjust: impl FnOnce(&mut appointments::Settings)) -> Self {
        Self::build(adjust, |_| {}).await
    }

    /// The scene with a pool of `connections` (for many requests at once).
    pub async fn with_connections(connections: usize) -> Self {
        Self::build(|_| {}, |settings| settings.database.max_connections = connections).await
    }

    async fn build(adjust: impl FnOnce(&mut appointments::Settings), shared: impl FnOnce(&mut Settings)) -> Self {
        let app = app_with(adjust, shared).await;
        let admin = fixtures::admin(&app).await;
        let profile = json!({
            "name": "Tiergarten Vets", "phone": "+493012345678",
            "address": { "line1": "Invalidenstr. 1", "city": "Berlin", "country": "DE" },
            "location": { "latitude": 52.52, "longitude": 13.40 },
            "time_zone": "Europe/Berlin", "currency": "EUR", "cancellation_notice_hours": 24,
        });
        let clinic = fixtures::clinic(&app, &admin, profile).await;
        fixtures::open_every_day(&app, &admin, &clinic, "07:00", "20:00").await;
        let vet = fixtures::vet(&app, &admin, &clinic, "Dr Weber", "09:00", "17:00").await;
        let receptionist = fixtures::staff(&app, &admin, &clinic, Role::Receptionist).await;
        let consultation = json!({
            "kind": "consultation", "name": "Consultation", "duration_minutes": 30,
            "buffer_after_minutes": 10, "price": "45.00",
        });
        let service = service(&app, &admin, &clinic, consultation).await;
        let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
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

    /// Moves the App's clock forward to `at` (never back).
    pub fn travel_to(&self, at: DateTime<Utc>) {
        let ahead = at - self.app.clock.now();
        assert!(ahead > Duration::zero(), "the clock only moves forward");
        self.app.clock.advance(ahead);
    }

    /// Another owner with a dog of their own.
    pub async fn another_owner(&self) -> (TestUser, String) {
        fixtures::owner_with_dog(&self.app, "Bello").await
    }
}

/// A vet of `clinic` with a profile, working 09:00-17:00 every day.
pub async fn vet(app: &TestApp, admin: &TestUser, clinic: &str, name: &str) -> TestUser {
    fixtures::vet(app, admin, clinic, name, "09:00", "17:00").await
}

/// `days` from today at `hh:mm` on Berlin's clocks.
pub fn berlin_at(days: i64, time: &str) -> DateTime<Utc> {
    let day = Utc::now().with_timezone(&BERLIN).date_naive() + Duration::days(days);
    let local = day.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap());
    local.and_local_timezone(BERLIN).earliest().unwrap().with_timezone(&Utc)
}
