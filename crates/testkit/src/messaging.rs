//! A local fake of the SMS (Twilio) and push (FCM) APIs on one HTTP server,
//! accepting every message, for tests that check an SMS or a push went out.

use platform::config::Source;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Where Twilio's fake takes messages (account `AC0123`).
pub const TWILIO_PATH: &str = "/2010-04-01/Accounts/AC0123/Messages.json";
/// Where FCM's fake takes pushes (project `vet-test`).
pub const FCM_PATH: &str = "/v1/projects/vet-test/messages:send";

/// The running fake; stopped when dropped.
pub struct MessagingApis {
    /// The HTTP server (mount other answers on it before [`MessagingApis::accept_everything`]).
    pub server: MockServer,
    service_account: tempfile::NamedTempFile,
}

impl MessagingApis {
    /// Starts the fake with FCM's token endpoint answering.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let key = platform::auth::signing::SigningKey::generate("fcm-test").expect("an FCM signing key");
        let service_account = tempfile::NamedTempFile::new().expect("a service account file");
        let account = json!({
            "type": "service_account", "project_id": "vet-test",
            "client_email": "push@vet-test.iam.gserviceaccount.com",
            "private_key": key.private_key_pem(), "token_uri": format!("{}/token", server.uri()),
        });
        std::fs::write(service_account.path(), account.to_string()).expect("write the service account");
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "access_token": "ya29.test", "expires_in": 3600 })),
            )
            .mount(&server)
            .await;
        Self { server, service_account }
    }

    /// Lets every SMS and push succeed (after any answers a test mounted first).
    pub async fn accept_everything(&self) {
        Mock::given(method("POST"))
            .and(path(TWILIO_PATH))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": "SM0001" })))
            .mount(&self.server)
            .await;
        Mock::given(method("POST"))
            .and(path(FCM_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "name": "projects/vet-test/messages/1" })))
            .mount(&self.server)
            .await;
    }

    /// `config` with notifications sending SMS and push here: read
    /// `[notifications]` from the result.
    pub fn configure(&self, config: &Source) -> Source {
        [
            ("notifications.sms.provider", "twilio".to_owned()),
            ("notifications.sms.base_url", self.server.uri()),
            ("notifications.sms.account_sid", "AC0123".to_owned()),
            ("notifications.sms.auth_token", "twilio-test-token".to_owned()),
            ("notifications.sms.from", "+15005550006".to_owned()),
            ("notifications.push.provider", "fcm".to_owned()),
            ("notifications.push.base_url", self.server.uri()),
            ("notifications.push.service_account_file", self.service_account.path().display().to_string()),
        ]
        .into_iter()
        .try_fold(config.clone(), |config, (key, value)| config.with_override(key, value))
        .expect("point SMS and push at the fake")
    }

    /// The request bodies the fake received at `endpoint`, as text.
    pub async fn bodies_to(&self, endpoint: &str) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|request| request.url.path() == endpoint)
            .map(|request| String::from_utf8_lossy(&request.body).into_owned())
            .collect()
    }
}
