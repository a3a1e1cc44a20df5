//! The real App, served in-process on a free port for one test.

use std::path::Path;

use actix_web::dev::ServerHandle;
use db::schema::users;
use kernel::{Role, UserId};
use platform::config::Environment;
use platform::{AppState, Application, Mount, Settings};
use wiremock::MockServer;

use crate::database::TestDb;
use crate::tokens::{JWKS_PATH, TokenMinter};

/// A user created by [`TestApp::user`].
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Our id.
    pub user_id: UserId,
    /// The identity-provider id (`sub`).
    pub subject: String,
    /// A valid session token.
    pub token: String,
}

/// The test configuration (`config/test.toml`), before the harness adjusts it.
pub fn test_settings() -> Settings {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    Settings::load_from(&dir, Environment::Test).expect("load config/test.toml")
}

/// A running App over its own database, with a JWKS server and a token minter.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without default headers or redirects.
    pub client: reqwest::Client,
    /// The App's state (pools, settings), for direct database access in tests.
    pub state: AppState,
    /// Mints tokens the App accepts.
    pub tokens: TokenMinter,
    /// The local stand-in for Clerk's JWKS endpoint.
    pub jwks: MockServer,
    /// The test's database.
    pub db: TestDb,
    /// The test's local media store (`media.local_dir`), removed afterwards.
    pub media_dir: tempfile::TempDir,
    handle: ServerHandle,
}

impl TestApp {
    /// Serves `mount` with the test configuration.
    pub async fn spawn(mount: Mount) -> Self {
        Self::spawn_with(mount, |_| {}).await
    }

    /// Serves `mount` after `adjust` has changed the test configuration (the
    /// database URL and JWKS URL are already set when it runs).
    pub async fn spawn_with(mount: Mount, adjust: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new().await;
        let mut settings = test_settings();
        let tokens = TokenMinter::new(settings.auth.issuer.clone(), settings.auth.authorized_parties.first().cloned());
        let jwks = tokens.start_jwks_server().await;
        settings.database.url = db.url().to_owned().into();
        settings.auth.jwks_url = Some(format!("{}{JWKS_PATH}", jwks.uri()));
        // Quotas of parallel tests must not add up in the shared Redis.
        settings.rate_limit.key_prefix = format!("rl-{}", db.name());
        let media_dir = tempfile::tempdir().expect("a temporary media directory");
        settings.media.local_dir = media_dir.path().to_owned();
        adjust(&mut settings);
        platform::telemetry::init(&settings.log);
        let state = AppState::build(settings).expect("build the App state");
        let application = Application::build(state.clone(), mount).expect("bind the test server");
        let address = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        tokio::spawn(application.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build the HTTP client");
        Self { address, client, state, tokens, jwks, db, media_dir, handle }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET path` without credentials.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("send the request")
    }

    /// `GET path` as `subject`, with a valid token.
    pub async fn get_as(&self, subject: &str, path: &str) -> reqwest::Response {
        self.get_with_token(&self.tokens.token_for(subject), path).await
    }

    /// A user with `role` in this App's database, and a valid token for it.
    pub async fn user(&self, role: Role) -> TestUser {
        use diesel::ExpressionMethods;
        use diesel_async::RunQueryDsl;
        let subject = format!("user_{}", uuid::Uuid::now_v7().simple());
        let user_id = UserId::new();
        let mut connection = self.db.connect().await;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(user_id),
                users::clerk_id.eq(&subject),
                users::email.eq(format!("{subject}@example.com")),
                users::role.eq(role),
            ))
            .execute(&mut connection)
            .await
            .expect("insert a test user");
        let token = self.tokens.token_for(&subject);
        TestUser { user_id, subject, token }
    }

    /// `method path` with `token` and an optional JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("send the request")
    }

    /// `POST /api/v1/media?purpose=` with `bytes` as the multipart file `name`.
    pub async fn upload(&self, user: &TestUser, purpose: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        self.client
            .post(self.url(&format!("/api/v1/media?purpose={purpose}")))
            .bearer_auth(&user.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("send the upload")
    }

    /// `GET path` with `token` as the bearer credential.
    pub async fn get_with_token(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("send the request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command now; the server's connections close with it.
        drop(self.handle.stop(false));
    }
}

/// Asserts the status and returns the JSON body (`Null` when empty).
pub async fn expect(response: reqwest::Response, status: u16) -> serde_json::Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("read the body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).expect("a JSON body") }
}
