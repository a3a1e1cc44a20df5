//! The real App, served in-process on a free port for one test.

use std::path::Path;

use actix_web::dev::ServerHandle;
use kernel::{Clock, Role, UserId};
use platform::config::{Environment, Section, Source};
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
pub fn test_config() -> Source {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    Source::load_from(&dir, Environment::Test).expect("load config/test.toml")
}

/// The shared settings of [`test_config`].
pub fn test_settings() -> Settings {
    test_config().settings().expect("the test settings")
}

/// The section `T` of [`test_config`] (a crate's own settings).
pub fn test_section<T: Section>() -> T {
    test_config().section().expect("a section of the test configuration")
}

/// A running App over its own database, with a JWKS server and a token minter.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without default headers or redirects.
    pub client: reqwest::Client,
    /// The App's state (pools, settings), for direct database access in tests.
    pub state: AppState,
    /// The configuration the App was built from (this test's database, media
    /// directory...); read a crate's section with [`TestApp::section`].
    pub config: Source,
    /// The App's clock: advance it instead of editing rows to look old.
    pub clock: Clock,
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
    /// Serves what `mount` builds from this test's configuration, e.g.
    /// `TestApp::spawn(|config| { let pets = config.section().unwrap(); move |routes| pets::routes(routes, &pets) })`.
    pub async fn spawn<M: Mount>(mount: impl FnOnce(&Source) -> M) -> Self {
        Self::spawn_with(mount, |_| {}).await
    }

    /// Like [`TestApp::spawn`], after `adjust` has changed the shared settings
    /// (the database and JWKS URLs are already this test's when it runs).
    pub async fn spawn_with<M: Mount>(mount: impl FnOnce(&Source) -> M, adjust: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new().await;
        let media_dir = tempfile::tempdir().expect("a temporary media directory");
        let base = test_settings();
        let tokens = TokenMinter::new(base.auth.issuer.clone(), base.auth.authorized_parties.first().cloned());
        let jwks = tokens.start_jwks_server().await;
        let config = test_config()
            .with_override("database.url", db.url())
            .and_then(|config| config.with_override("auth.jwks_url", format!("{}{JWKS_PATH}", jwks.uri())))
            // Quotas of parallel tests must not add up in the shared Redis.
            .and_then(|config| config.with_override("rate_limit.key_prefix", format!("rl-{}", db.name())))
            // Each test's uploads go to a directory of its own.
            .and_then(|config| config.with_override("media.local_dir", media_dir.path().display().to_string()))
            .expect("point the configuration at this test");
        let mut settings = config.settings().expect("the test settings");
        adjust(&mut settings);
        platform::telemetry::init(&settings);
        let clock = Clock::system();
        let state = AppState::build_with_clock(settings, clock.clone()).expect("build the App state");
        let application = Application::build(state.clone(), mount(&config)).expect("bind the test server");
        let address = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        tokio::spawn(application.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build the HTTP client");
        Self { address, client, state, config, clock, tokens, jwks, db, media_dir, handle }
    }

    /// A crate's own settings, as this App's configuration gives them.
    pub fn section<T: Section>(&self) -> T {
        self.config.section().expect("a section of the test configuration")
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
        let subject = format!("user_{}", uuid::Uuid::now_v7().simple());
        let mut connection = self.db.connect().await;
        let email = format!("{subject}@example.com");
        let user_id: UserId = platform::users::provision_local(&mut connection, &subject, &email, role)
            .await
            .expect("create a test user");
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
