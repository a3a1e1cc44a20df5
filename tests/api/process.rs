//! Running the real `gateway` binary against a test database.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use testkit::{TestDb, TokenMinter, test_settings};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The workspace's `config/` folder.
pub fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

/// `gateway <args>` with `APP_ENV=test` and the given `VET__*` overrides.
pub fn gateway(args: &[&str], environment: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gateway"));
    command.args(args).env("APP_ENV", "test").env("VET_CONFIG_DIR", config_dir()).env_remove("RUST_LOG");
    for (key, value) in environment {
        command.env(key, value);
    }
    command
}

/// What a `gateway serve` process needs: its own database and a JWKS server
/// publishing the key of `tokens`.
pub struct ServeFixture {
    pub database: TestDb,
    pub tokens: TokenMinter,
    pub jwks: MockServer,
}

impl ServeFixture {
    /// A fresh database, and `jwks` answering the token key after `jwks_delay`.
    pub async fn new(jwks_delay: Duration) -> Self {
        let database = TestDb::new().await;
        let settings = test_settings();
        let tokens = TokenMinter::new(settings.auth.issuer.clone(), settings.auth.authorized_parties.first().cloned());
        let jwks = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(tokens.key().jwks()).set_delay(jwks_delay))
            .mount(&jwks)
            .await;
        Self { database, tokens, jwks }
    }

    /// The `VET__*` overrides pointing the binary at this fixture.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("VET__DATABASE__URL", self.database.url().to_owned()),
            ("VET__AUTH__JWKS_URL", format!("{}/.well-known/jwks.json", self.jwks.uri())),
            // Quotas of parallel tests must not add up in the shared Redis.
            ("VET__RATE_LIMIT__KEY_PREFIX", format!("rl-{}", self.database.name())),
        ]
    }
}

/// Sends SIGTERM to a served gateway.
pub fn terminate(served: &Served) {
    let pid = Pid::from_raw(i32::try_from(served.child.id()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
}

/// Runs a command to completion.
pub fn run(mut command: Command) -> Output {
    command.output().expect("run the gateway binary")
}

/// A free TCP port on loopback (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `gateway serve` process, killed if the test ends without stopping it.
pub struct Served {
    pub child: Child,
    pub base_url: String,
}

impl Served {
    /// Starts `gateway serve` on a free port and waits until it answers.
    pub async fn start(environment: &[(&str, String)]) -> Self {
        Self::start_logging_to(environment, Stdio::null()).await
    }

    /// Like [`Served::start`], with the log output (stdout) sent to `logs`.
    pub async fn start_logging_to(environment: &[(&str, String)], logs: impl Into<Stdio>) -> Self {
        Self::start_with(&["serve"], environment, logs).await
    }

    /// `gateway <args>` (a `serve`, with its flags) on a free port, logging to `logs`.
    pub async fn start_with(args: &[&str], environment: &[(&str, String)], logs: impl Into<Stdio>) -> Self {
        let port = free_port();
        let mut environment = environment.to_vec();
        environment.push(("VET__SERVER__PORT", port.to_string()));
        let child =
            gateway(args, &environment).stdout(logs).stderr(Stdio::null()).spawn().expect("spawn gateway serve");
        let served = Self { child, base_url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while reqwest::get(format!("{}/health/live", served.base_url)).await.is_err() {
            assert!(Instant::now() < deadline, "gateway serve did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
