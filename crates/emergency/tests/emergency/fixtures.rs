//! The App over the emergency routes (with clinics, pets, media, appointments
//! and chat), a clinic in Lyon with on-call vets placed around it, an owner
//! with a dog, and a worker that runs due jobs against the SMS and push fakes.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{self, clinic_profile};
use testkit::{MessagingApis, TestApp, TestUser};

/// Where the dog is: Lyon, Place Bellecour.
pub const PET_AT: (f64, f64) = (45.7578, 4.8320);

/// A server over the emergency routes and those they build on.
pub async fn app() -> TestApp {
    app_with(settings(|_| {})).await
}

/// The test configuration's `[emergency]`, adjusted (for the App and the worker).
pub fn settings(adjust: impl FnOnce(&mut emergency::Settings)) -> emergency::Settings {
    let mut settings: emergency::Settings = testkit::test_section();
    adjust(&mut settings);
    settings
}

/// Like [`app`], over `settings`. Twenty vets answer one case at once here:
/// the pool has room for all of them.
pub async fn app_with(settings: emergency::Settings) -> TestApp {
    let crowd = |settings: &mut platform::Settings| {
        settings.database.max_connections = 24;
        settings.database.wait_timeout_ms = 10_000;
    };
    TestApp::spawn_with(
        |config| {
            let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
            let (clinics, pets): (clinics::Settings, pets::Settings) =
                (config.section().unwrap(), config.section().unwrap());
            let scheduling: appointments::Settings = config.section().unwrap();
            let chat = chat::Chat::new(config.section().unwrap());
            move |routes: &mut platform::Routes| {
                let needs = emergency::Needs { scheduling: &scheduling, chat: &chat, uploads: &uploads };
                emergency::routes(routes, &settings, needs);
                clinics::routes(routes, &clinics, &uploads);
                pets::routes(routes, &pets, &uploads);
                media::routes(routes, &uploads);
                appointments::routes(routes, &scheduling);
                chat::routes(routes, &chat, &uploads);
            }
        },
        crowd,
    )
    .await
}

/// An emergency-capable clinic in Lyon, open around the clock, and an owner
/// whose dog Rex is in Lyon.
pub struct Scene {
    pub app: TestApp,
    pub admin: TestUser,
    pub clinic: String,
    pub owner: TestUser,
    pub pet: String,
}

/// The scene over `app`.
pub async fn scene_over(app: TestApp) -> Scene {
    let admin = fixtures::admin(&app).await;
    let mut profile = clinic_profile("Bellecour Urgences", 45.7600, 4.8400, "Europe/Paris");
    profile["emergency_capable"] = json!(true);
    profile["open_24_7"] = json!(true);
    let clinic = fixtures::clinic(&app, &admin, profile).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    Scene { app, admin, clinic, owner, pet }
}

/// The scene over [`app`].
pub async fn scene() -> Scene {
    scene_over(app().await).await
}

/// `(latitude, longitude)` about `km` kilometres north of the pet.
pub fn north_of_pet(km: f64) -> (f64, f64) {
    (PET_AT.0 + km / 111.2, PET_AT.1)
}

impl Scene {
    /// A vet of the clinic, available now at `at` for `radius_km`.
    pub async fn vet_available(&self, at: (f64, f64), radius_km: f64) -> TestUser {
        let vet = fixtures::staff(&self.app, &self.admin, &self.clinic, Role::Veterinarian).await;
        let body = json!({
            "available": true, "clinic_id": self.clinic,
            "location": { "latitude": at.0, "longitude": at.1 }, "radius_km": radius_km,
        });
        self.app.api(Method::PUT, "/vets/me/on-call/available-now").by(&vet).json(&body).expect(200).await;
        vet
    }

    /// The body of an emergency request for Rex at [`PET_AT`].
    pub fn request(&self) -> Value {
        json!({
            "pet_id": self.pet,
            "description": "Rex ate a bar of dark chocolate and is trembling.",
            "location": { "latitude": PET_AT.0, "longitude": PET_AT.1 },
            "triage": { "toxin_ingested": true, "toxin": "dark chocolate", "conscious": true },
        })
    }

    /// The owner opens a case for Rex; returns it.
    pub async fn open_case(&self) -> Value {
        self.app.api(Method::POST, "/emergency-requests").by(&self.owner).json(&self.request()).expect(201).await
    }

    /// A neighbour opens a case for their dog Bella, `km` north of Rex;
    /// returns its id.
    pub async fn neighbours_case(&self, km: f64) -> String {
        let (neighbour, bella) = fixtures::owner_with_dog(&self.app, "Bella").await;
        let mut request = self.request();
        request["pet_id"] = json!(bella);
        request["location"] = json!({ "latitude": north_of_pet(km).0, "longitude": PET_AT.1 });
        let case = self.app.api(Method::POST, "/emergency-requests").by(&neighbour).json(&request).expect(201).await;
        case["id"].as_str().unwrap_or_default().to_owned()
    }

    /// The case as `user` sees it.
    pub async fn case_as(&self, user: &TestUser, case: &str) -> Value {
        self.app.api(Method::GET, &format!("/emergency-requests/{case}")).by(user).expect(200).await
    }
}

/// The vets with a pending offer of `case`, by id.
pub async fn offered_vets(app: &TestApp, case: &str) -> Vec<String> {
    let sql =
        format!("SELECT vet_id::text AS value FROM emergency_offers WHERE case_id = '{case}' AND status = 'pending'");
    rows(app, &sql).await
}

/// The `value` column (text) of `sql`'s rows, sorted.
pub async fn rows(app: &TestApp, sql: &str) -> Vec<String> {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut connection = app.db.connect().await;
    let mut values: Vec<String> =
        diesel::sql_query(sql).load::<Row>(&mut connection).await.unwrap().into_iter().map(|row| row.value).collect();
    values.sort();
    values
}

/// Runs every due job (the round deadlines under `settings`, the
/// deliveries) once, SMS and push going to `apis`.
pub async fn run_jobs(app: &TestApp, settings: &emergency::Settings, apis: &MessagingApis) {
    let config = apis.configure(&app.config);
    let notifications: notifications::Settings = config.section().unwrap();
    let options = testkit::worker_options(app);
    let options = notifications::worker_options(options, &notifications).unwrap();
    let options = emergency::worker_options(options, settings);
    let options = chat::worker_options(options, &chat::Chat::new(app.section())).unwrap();
    testkit::run_due_jobs(options).await;
}

/// Gives `user` a phone number and a push device, so SMS and push reach them.
pub async fn reachable(app: &TestApp, user: &TestUser, phone: &str) {
    let mut connection = app.db.connect().await;
    let changes = platform::users::ProfileChanges { phone: Some(Some(phone.to_owned())), ..Default::default() };
    platform::users::update_profile(&mut connection, user.user_id, &changes).await.unwrap();
    let principal = kernel::Principal {
        user_id: user.user_id,
        subject: user.subject.clone(),
        role: Role::Veterinarian,
        memberships: Vec::new(),
        credential: kernel::Credential::Session,
    };
    let device = notifications::api::DeviceRegistration {
        token: format!("device-{}", user.subject),
        platform: notifications::api::DevicePlatform::Android,
    };
    notifications::service::devices::register(&mut connection, &principal, &kernel::Valid::new(device).unwrap())
        .await
        .unwrap();
}
