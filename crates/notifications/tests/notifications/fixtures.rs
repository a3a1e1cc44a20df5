//! The App, fake providers, a worker that runs due deliveries, and helpers.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;
use notifications::{Category, Notification, Template};
use notifications::{EmailSettings, ProviderKind, PushSettings, Settings, SmsSettings, SmtpTls};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{SmtpServer, TestApp};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TWILIO_PATH: &str = "/2010-04-01/Accounts/AC0123/Messages.json";
pub const FCM_PATH: &str = "/v1/projects/vet-test/messages:send";

/// The App with the notifications (and job admin) routes.
pub async fn app() -> TestApp {
    TestApp::spawn(|config| {
        let settings: Settings = config.section().unwrap();
        move |routes: &mut platform::Routes| {
            notifications::routes(routes, &settings);
            jobs::routes(routes);
        }
    })
    .await
}

/// The real SMTP server and a fake of the Twilio and FCM APIs (one HTTP server).
pub struct Providers {
    pub smtp: SmtpServer,
    pub api: MockServer,
    pub settings: Settings,
    _service_account: tempfile::NamedTempFile,
}

impl Providers {
    /// Starts them; SMS and push accept everything unless a test mounts other answers first.
    pub async fn start() -> Self {
        let smtp = SmtpServer::start().await;
        let api = MockServer::start().await;
        let key = platform::auth::signing::SigningKey::generate("fcm-test").unwrap();
        let service_account = tempfile::NamedTempFile::new().unwrap();
        let account = json!({
            "type": "service_account", "project_id": "vet-test",
            "client_email": "push@vet-test.iam.gserviceaccount.com",
            "private_key": key.private_key_pem(), "token_uri": format!("{}/token", api.uri()),
        });
        std::fs::write(service_account.path(), account.to_string()).unwrap();
        let settings = Settings {
            retention_days: 400,
            email: EmailSettings {
                provider: ProviderKind::Smtp,
                smtp_host: "127.0.0.1".into(),
                smtp_port: smtp.port(),
                tls: SmtpTls::None,
                username: None,
                password: None,
                from: "Vet Platform <no-reply@vet-platform.test>".into(),
                timeout_ms: 5_000,
            },
            sms: SmsSettings {
                provider: ProviderKind::Twilio,
                base_url: api.uri(),
                account_sid: Some("AC0123".into()),
                auth_token: Some("twilio-test-token".to_owned().into()),
                from: Some("+15005550006".into()),
                timeout_ms: 5_000,
            },
            push: PushSettings {
                provider: ProviderKind::Fcm,
                base_url: api.uri(),
                service_account_file: Some(service_account.path().to_owned()),
                timeout_ms: 5_000,
            },
            webhooks: testkit::test_section::<Settings>().webhooks,
        };
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "access_token": "ya29.test", "expires_in": 3600 })),
            )
            .mount(&api)
            .await;
        Self { smtp, api, settings, _service_account: service_account }
    }

    /// Lets SMS and push succeed (after any answers a test mounted first).
    pub async fn accept_everything(&self) {
        Mock::given(method("POST"))
            .and(path(TWILIO_PATH))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": "SM0001" })))
            .mount(&self.api)
            .await;
        Mock::given(method("POST"))
            .and(path(FCM_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "name": "projects/vet-test/messages/1" })))
            .mount(&self.api)
            .await;
    }

    /// Requests the fake API received on `endpoint`.
    pub async fn requests_to(&self, endpoint: &str) -> Vec<wiremock::Request> {
        self.api
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|request| request.url.path() == endpoint)
            .collect()
    }

    /// Runs every due job once (no waiting for retries or schedules).
    pub async fn run_due_jobs(&self, app: &TestApp) {
        let options = notifications::worker_options(testkit::worker_options(app), &self.settings).unwrap();
        let worker = options.init().await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), worker.run_once()).await.unwrap().unwrap();
    }
}

pub use testkit::make_jobs_due;

/// An appointment confirmation, optionally from a clinic.
pub fn appointment(pet_name: &str) -> Notification {
    Notification {
        category: Category::Appointment,
        template: Template::AppointmentConfirmed,
        data: json!({
            "pet_name": pet_name, "clinic_name": "Happy Paws Clinic",
            "starts_at": "Mon 14 Dec 14:30", "vet_name": "Dr Okafor", "appointment_id": "0193f1a2",
        }),
        sender: None,
        attachments: Vec::new(),
    }
}

/// An emergency alert.
pub fn emergency() -> Notification {
    Notification {
        category: Category::Emergency,
        template: Template::EmergencyAlert,
        data: json!({ "headline": "A vet accepted your case", "details": "Dr Okafor is on her way." }),
        sender: None,
        attachments: Vec::new(),
    }
}

/// Gives `user` a phone number and a time zone (as their profile would).
pub async fn set_contact(connection: &mut AsyncPgConnection, user: UserId, phone: &str, time_zone: &str) {
    let changes = platform::users::ProfileChanges {
        phone: Some(Some(phone.to_owned())),
        preferences: Some(json!({ "time_zone": time_zone })),
        ..Default::default()
    };
    platform::users::update_profile(connection, user, &changes).await.unwrap();
}

/// `(channel, status, attempts, provider_message_id, last_error)` of every delivery to `user`.
pub async fn deliveries_of(
    connection: &mut AsyncPgConnection,
    user: UserId,
) -> Vec<(String, String, i32, Option<String>, Option<String>)> {
    use db::schema::{notification_deliveries as deliveries, notifications};
    deliveries::table
        .inner_join(notifications::table)
        .filter(notifications::recipient_id.eq(user))
        .select((
            deliveries::channel,
            deliveries::status,
            deliveries::attempts,
            deliveries::provider_message_id,
            deliveries::last_error,
        ))
        .order(deliveries::channel)
        .load(connection)
        .await
        .unwrap()
}

/// Sends a request with a bearer token and an optional JSON body.
pub async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> reqwest::Response {
    app.call(method, path, token, body).await
}

pub use testkit::expect;
