//! The App over the outreach routes (with the clinics, pets, notifications
//! and commerce routes they build on) sending email to a real SMTP server, a
//! clinic with its admin, and helpers for its clients.

use kernel::Role;
use platform::config::Source;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{self, clinic_profile};
use testkit::{SmtpServer, TestApp, TestUser};

/// A clinic, its admin, and the SMTP server its campaigns reach.
pub struct Scene {
    pub app: TestApp,
    pub smtp: SmtpServer,
    pub config: Source,
    pub platform_admin: TestUser,
    pub clinic: String,
    pub admin: TestUser,
}

pub async fn scene() -> Scene {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn(|config| {
        let config = smtp.configure(config);
        let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
        let (clinics, pets): (clinics::Settings, pets::Settings) =
            (config.section().unwrap(), config.section().unwrap());
        let notifications: notifications::Settings = config.section().unwrap();
        let outreach: outreach::Settings = config.section().unwrap();
        let commerce: commerce::Settings = config.section().unwrap();
        let payments = commerce::payments::Payments::from_settings(&commerce).unwrap();
        move |routes: &mut platform::Routes| {
            outreach::routes(routes, &outreach);
            notifications::routes(routes, &notifications);
            clinics::routes(routes, &clinics, &uploads);
            pets::routes(routes, &pets, &uploads);
            commerce::routes(routes, &commerce, &payments, &uploads);
        }
    })
    .await;
    let config = smtp.configure(&app.config);
    let platform_admin = fixtures::admin(&app).await;
    let clinic =
        fixtures::clinic(&app, &platform_admin, clinic_profile("Happy Paws", 48.85, 2.35, "Europe/Paris")).await;
    let admin = fixtures::staff(&app, &platform_admin, &clinic, Role::ClinicAdmin).await;
    Scene { app, smtp, config, platform_admin, clinic, admin }
}

impl Scene {
    /// A new owner of a pet of `species` registered with the clinic, opted
    /// in to marketing email or not; the owner and the pet.
    pub async fn client(&self, species: &str, opted_in: bool) -> (TestUser, String) {
        let owner = self.app.user(Role::PetOwner).await;
        let pet = fixtures::pet(&self.app, &owner, fixtures::pet_profile("Pet", species)).await;
        fixtures::register_with_clinic(&self.app, &owner, &pet, &self.clinic).await;
        if opted_in {
            opt_in(&self.app, &owner).await;
        }
        (owner, pet)
    }

    /// A draft campaign to `audience`.
    pub async fn campaign(&self, audience: Value) -> String {
        let draft = json!({
            "name": "Spring boosters", "subject": "Spring vaccination week",
            "body": "Book a booster before April.\n\nWe are open on Saturdays too.", "audience": audience,
        });
        let created = self.app.api(Method::POST, &self.campaigns()).by(&self.admin).json(&draft).expect(201).await;
        fixtures::id_of(&created)
    }

    pub fn campaigns(&self) -> String {
        format!("/clinics/{}/campaigns", self.clinic)
    }

    pub fn campaign_path(&self, campaign: &str) -> String {
        format!("/clinics/{}/campaigns/{campaign}", self.clinic)
    }

    /// The audience preview of `campaign`: (matching, consenting).
    pub async fn preview(&self, campaign: &str) -> (i64, i64) {
        let path = format!("{}/audience", self.campaign_path(campaign));
        let preview: Value = self.app.api(Method::GET, &path).by(&self.admin).expect_json(200).await;
        (preview["matching"].as_i64().unwrap(), preview["consenting"].as_i64().unwrap())
    }

    /// Schedules `campaign` now and runs the jobs until its email is out:
    /// the start, then its batch, then the deliveries.
    pub async fn send_now(&self, campaign: &str) {
        let path = format!("{}/schedule", self.campaign_path(campaign));
        self.app.api(Method::POST, &path).by(&self.admin).json(&json!({})).expect(200).await;
        for _ in 0..3 {
            self.run_jobs().await;
        }
    }

    /// The campaign emails the SMTP server received (not the staff notices).
    pub fn campaign_mail(&self) -> Vec<String> {
        self.smtp
            .messages()
            .into_iter()
            .filter(|message| message.contains("Subject: Spring vaccination week"))
            .collect()
    }

    pub async fn run_jobs(&self) {
        let options = testkit::worker_options(&self.app);
        let options = notifications::worker_options(options, &self.config.section().unwrap()).unwrap();
        let options = outreach::worker_options(options, &self.config.section().unwrap());
        testkit::run_due_jobs(options).await;
    }

    pub async fn get_campaign(&self, campaign: &str) -> Value {
        self.app.api(Method::GET, &self.campaign_path(campaign)).by(&self.admin).expect_json(200).await
    }
}

/// `owner` opts in to marketing by email.
pub async fn opt_in(app: &TestApp, owner: &TestUser) {
    let choices = json!({ "channels": [{ "category": "marketing", "channel": "email", "enabled": true }] });
    app.api(Method::PUT, "/notifications/preferences").by(owner).json(&choices).expect(200).await;
}

/// The address the test harness gives `user`.
pub fn address_of(user: &TestUser) -> String {
    format!("{}@example.com", user.subject)
}
