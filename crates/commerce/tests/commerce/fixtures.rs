//! The App over the commerce routes (with clinics, pets, media and
//! appointments), a clinic
//! in Paris with a 20% standard and 5.5% reduced rate, its admin and a vet,
//! and an owner whose dog Rex is the clinic's patient.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{self, clinic_profile};
use testkit::{TestApp, TestUser};

/// A server over the commerce routes and those they build on; the pool
/// has room for many checkouts at once.
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// Like [`app`], with `[commerce]` adjusted.
pub async fn app_with(adjust: impl FnOnce(&mut commerce::Settings)) -> TestApp {
    let crowd = |settings: &mut platform::Settings| {
        settings.database.max_connections = 24;
        settings.database.wait_timeout_ms = 20_000;
    };
    TestApp::spawn_with(
        |config| {
            let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
            let (clinics, pets): (clinics::Settings, pets::Settings) =
                (config.section().unwrap(), config.section().unwrap());
            let scheduling: appointments::Settings = config.section().unwrap();
            let mut commerce: commerce::Settings = config.section().unwrap();
            adjust(&mut commerce);
            let payments = commerce::payments::Payments::from_settings(&commerce).unwrap();
            move |routes: &mut platform::Routes| {
                commerce::routes(routes, &commerce, &payments, &uploads);
                clinics::routes(routes, &clinics, &uploads);
                pets::routes(routes, &pets, &uploads);
                media::routes(routes, &uploads);
                appointments::routes(routes, &scheduling);
            }
        },
        crowd,
    )
    .await
}

/// A clinic selling things, and an owner with a dog registered there.
pub struct Shop {
    pub app: TestApp,
    pub admin: TestUser,
    pub clinic: String,
    pub manager: TestUser,
    pub vet: TestUser,
    pub owner: TestUser,
    pub pet: String,
}

/// The shop, with its tax rates set.
pub async fn shop() -> Shop {
    shop_over(app().await).await
}

/// The shop over `app`.
pub async fn shop_over(app: TestApp) -> Shop {
    let admin = fixtures::admin(&app).await;
    let clinic = fixtures::clinic(&app, &admin, clinic_profile("Paws Paris", 48.8566, 2.3522, "Europe/Paris")).await;
    let manager = fixtures::staff(&app, &admin, &clinic, Role::ClinicAdmin).await;
    let vet = fixtures::staff(&app, &admin, &clinic, Role::Veterinarian).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    fixtures::register_with_clinic(&app, &owner, &pet, &clinic).await;
    for (class, rate) in [("standard", "0.2"), ("reduced", "0.055")] {
        let path = format!("/clinics/{clinic}/tax-rates/{class}");
        app.api(Method::PUT, &path).by(&manager).json(&json!({ "rate": rate })).expect(200).await;
    }
    Shop { app, admin, clinic, manager, vet, owner, pet }
}

/// A product draft: `price` before tax, `stock` units received after it is created.
pub fn product(sku: &str, name: &str, price: &str) -> Value {
    json!({ "sku": sku, "name": name, "price": price, "species": ["dog"], "tax_class": "standard" })
}

impl Shop {
    /// The clinic's admin adds `draft` with `stock` units received; returns it.
    pub async fn add(&self, draft: Value, stock: i32) -> Value {
        let path = format!("/clinics/{}/products", self.clinic);
        let created = self.app.api(Method::POST, &path).by(&self.manager).json(&draft).expect(201).await;
        let id = fixtures::id_of(&created);
        if stock > 0 {
            return self.receive(&id, stock).await;
        }
        created
    }

    /// `units` of the product are received.
    pub async fn receive(&self, product: &str, units: i32) -> Value {
        let path = format!("/clinics/{}/products/{product}/stock-adjustments", self.clinic);
        let body = json!({ "change": units, "reason": "received" });
        self.app.api(Method::POST, &path).by(&self.manager).json(&body).expect(200).await
    }

    /// `user` puts `quantity` of the product in their cart; returns the cart.
    pub async fn put(&self, user: &TestUser, product: &str, quantity: i32, pet: Option<&str>) -> Value {
        let path = format!("/carts/{}/lines/{product}", self.clinic);
        let body = json!({ "quantity": quantity, "pet_id": pet });
        self.app.api(Method::PUT, &path).by(user).json(&body).expect(200).await
    }

    /// `user` checks their cart out with `key`, expecting `status`.
    pub async fn checkout(&self, user: &TestUser, key: &str, status: u16) -> Value {
        let path = format!("/carts/{}/checkout", self.clinic);
        self.app
            .api(Method::POST, &path)
            .by(user)
            .header("Idempotency-Key", key)
            .json(&json!({ "fulfilment": "pickup" }))
            .expect(status)
            .await
    }

    /// The product as its clinic's admin sees it.
    pub async fn product(&self, product: &str) -> Value {
        self.app.api(Method::GET, &format!("/products/{product}")).by(&self.manager).expect(200).await
    }

    /// The clinic's vet prescribes `drug` for the owner's dog with `refills`; returns the record.
    pub async fn prescribe(&self, drug: &str, refills: u8, end_date: Option<&str>) -> Value {
        let record = json!({
            "record_date": "2026-11-30", "clinic_id": self.clinic,
            "details": { "type": "medication", "drug": drug, "dose": "1", "unit": "tablet", "refills": refills, "end_date": end_date },
        });
        self.app.api(Method::POST, &format!("/pets/{}/records", self.pet)).by(&self.vet).json(&record).expect(201).await
    }
}

/// The `value` column (text) of `sql`'s rows, in order.
pub async fn rows(app: &TestApp, sql: &str) -> Vec<String> {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut connection = app.db.connect().await;
    diesel::sql_query(sql).load::<Row>(&mut connection).await.unwrap().into_iter().map(|row| row.value).collect()
}

/// Commerce's jobs over `app`, with its settings and payment provider.
pub fn commerce_jobs(app: &TestApp) -> graphile_worker::WorkerOptions {
    let uploads = media::Uploads::from_settings(app.section()).unwrap();
    let settings: commerce::Settings = app.section();
    let payments = commerce::payments::Payments::from_settings(&settings).unwrap();
    commerce::worker_options(testkit::worker_options(app), &settings, &payments, &uploads).unwrap()
}

/// Runs commerce's due jobs once (the unpaid orders' deadlines, invoices, reports).
pub async fn run_jobs(app: &TestApp) {
    testkit::run_due_jobs(commerce_jobs(app)).await;
}

/// Runs commerce's due jobs and the notifications they send, email going to `smtp`.
pub async fn run_jobs_emailing(app: &TestApp, smtp: &testkit::SmtpServer) {
    let email = smtp.configure(&app.config).section().unwrap();
    testkit::run_due_jobs(notifications::worker_options(commerce_jobs(app), &email).unwrap()).await;
}
