//! The production configuration of `deploy/`, started for real: `gateway
//! migrate run`, `serve` and `worker` with exactly the settings of the
//! Kubernetes ConfigMap and every secret the Secret example names (its
//! placeholder values), only the addresses of Postgres, Redis, the identity
//! provider's JWKS and S3 pointed at local ones (a test database, the shared
//! Redis, a local JWKS server, the S3 fake) and the ports made free ones.
//! Where Docker cannot run, this is what proves the manifests start and serve.
//!
//! Production has no development tokens: session tokens are checked against
//! the JWKS URL, here a local server publishing the test key, with the
//! ConfigMap's issuer and authorized party.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;
use testkit::{S3Server, TestDb, TokenMinter, test_config, test_settings};
use wiremock::MockServer;

use crate::process::{config_dir, free_port, run};

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The `KEY: value` entries of a ConfigMap's `data` or a Secret's `stringData`
/// (commented-out lines are examples, not settings).
fn manifest_settings(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(deploy_dir().join(file)).unwrap();
    let mut settings = BTreeMap::new();
    let mut in_map = false;
    for line in text.lines() {
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            in_map = matches!(entry, "data:" | "stringData:");
            continue;
        }
        if in_map {
            assert!(entry.contains(": "), "{file}: not a `KEY: value` line: {line}");
            let (key, value) = entry.split_once(": ").unwrap();
            settings.insert(key.to_owned(), value.trim().trim_matches('"').to_owned());
        }
    }
    settings
}

/// The ConfigMap and the Secret example, as one environment.
fn manifests() -> BTreeMap<String, String> {
    let configmap = manifest_settings("k8s/configmap.yaml");
    let secrets = manifest_settings("k8s/secret.example.yaml");
    assert_eq!(configmap.get("APP_ENV").map(String::as_str), Some("production"));
    assert!(secrets.contains_key("VET__MEDIA__SIGNING_SECRET"), "the Secret example names the media signing secret");
    configmap.into_iter().chain(secrets).collect()
}

/// `gateway <args>` with only `environment` (nothing inherited: no `VET__*`
/// of the test run leaks in).
fn gateway(args: &[&str], environment: &BTreeMap<String, String>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gateway"));
    command.args(args).env_clear().env("VET_CONFIG_DIR", config_dir()).envs(environment);
    command
}

/// The production settings over local services.
struct Production {
    _database: TestDb,
    s3: S3Server,
    tokens: TokenMinter,
    _jwks: MockServer,
    environment: BTreeMap<String, String>,
}

impl Production {
    async fn start() -> Self {
        let mut environment = manifests();
        let database = TestDb::new().await;
        let s3 = S3Server::start().await;
        let bucket: media::Settings = s3.configure(&test_config()).section().unwrap();
        // Tokens as the ConfigMap's identity provider would issue them.
        let authorized_party = environment["VET__AUTH__AUTHORIZED_PARTIES"].split(',').next().map(str::to_owned);
        let tokens = TokenMinter::new(environment["VET__AUTH__ISSUER"].clone(), authorized_party);
        let jwks = tokens.start_jwks_server().await;
        let local = [
            ("VET__DATABASE__URL", database.url().to_owned()),
            ("VET__REDIS__URL", test_settings().redis.url.expose_secret().to_owned()),
            ("VET__AUTH__JWKS_URL", format!("{}/.well-known/jwks.json", jwks.uri())),
            ("VET__MEDIA__S3__BUCKET", bucket.s3.bucket.unwrap()),
            ("VET__MEDIA__S3__ENDPOINT", bucket.s3.endpoint.unwrap()),
            ("VET__MEDIA__S3__ALLOW_HTTP", "true".to_owned()),
            ("VET__SERVER__HOST", "127.0.0.1".to_owned()),
            // Quotas of parallel tests must not add up in the shared Redis.
            ("VET__RATE_LIMIT__KEY_PREFIX", format!("rl-{}", database.name())),
        ];
        environment.extend(local.map(|(key, value)| (key.to_owned(), value)));
        Self { _database: database, s3, tokens, _jwks: jwks, environment }
    }

    /// Starts `gateway <command>` (`serve` or `worker`) on free ports and waits
    /// until `port` (the API's or the metrics listener's) answers.
    async fn spawn(&self, command: &str) -> Running {
        let (port, metrics_port) = (free_port(), free_port());
        let mut environment = self.environment.clone();
        environment.insert("VET__SERVER__PORT".to_owned(), port.to_string());
        environment.insert("VET__METRICS__ADDRESS".to_owned(), format!("127.0.0.1:{metrics_port}"));
        let child = gateway(&[command], &environment)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the gateway binary");
        let mut running = Running {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            metrics_url: format!("http://127.0.0.1:{metrics_port}/metrics"),
        };
        let probe =
            if command == "serve" { format!("{}/health/live", running.base_url) } else { running.metrics_url.clone() };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(&probe).await.is_err() {
            let exited = running.child.try_wait().unwrap();
            let mut stderr = String::new();
            if exited.is_some() {
                running.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            }
            assert!(exited.is_none(), "gateway {command} exited ({exited:?}): {stderr}");
            assert!(Instant::now() < deadline, "gateway {command} did not answer on {probe}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        running
    }
}

/// A running `gateway` process, killed if the test ends without stopping it.
struct Running {
    child: Child,
    base_url: String,
    metrics_url: String,
}

impl Running {
    /// SIGTERM, then the exit status (within `within`).
    async fn terminate(mut self, within: Duration) -> std::process::ExitStatus {
        kill(Pid::from_raw(i32::try_from(self.child.id()).unwrap()), Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit within {within:?} of SIGTERM");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `width` × `height` RGB PNG, its pixel data in stored (uncompressed)
/// deflate blocks: a real image without an image library.
fn png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0_u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut pixels = Vec::new();
    for y in 0..height {
        pixels.push(0); // filter type: none
        for x in 0..width {
            pixels.extend([u8::try_from(x * 255 / width).unwrap(), u8::try_from(y * 255 / height).unwrap(), 96]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = pixels.chunks(65_535).collect();
    for (index, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(index + 1 == blocks.len()));
        let length = u16::try_from(block.len()).unwrap();
        zlib.extend(length.to_le_bytes());
        zlib.extend((!length).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (a, b) = pixels.iter().fold((1_u32, 0_u32), |(a, b), &byte| {
        let a = (a + u32::from(byte)) % 65_521;
        (a, (b + a) % 65_521)
    });
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut header = width.to_be_bytes().to_vec();
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend(data);
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
    }
    png
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deploy_production_configuration_serves_authenticated_requests_and_keeps_media_on_s3() {
    // Compose sets every secret the Secret example names, too.
    let compose = std::fs::read_to_string(deploy_dir().join("compose.yaml")).unwrap();
    for key in manifest_settings("k8s/secret.example.yaml").keys() {
        assert!(compose.lines().any(|line| line.trim().starts_with(&format!("{key}:"))), "compose.yaml lacks {key}");
    }

    let production = Production::start().await;
    // The migrate Job / compose service: idempotent on a migrated database.
    let migrated = run(gateway(&["migrate", "run"], &production.environment));
    assert!(migrated.status.success(), "migrate run: {}", String::from_utf8_lossy(&migrated.stderr));

    let serve = production.spawn("serve").await;
    let client = reqwest::Client::new();
    let ready = client.get(format!("{}/health/ready", serve.base_url)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let checks: Value = ready.json().await.unwrap();
    assert_eq!(checks["status"], "ok", "{checks}");

    // Signed in through the JWKS URL; no token, no access.
    let me = format!("{}/api/v1/users/me", serve.base_url);
    assert_eq!(client.get(&me).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let token = production.tokens.token_for("user_production_owner");
    let response = client.get(&me).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["role"], "pet_owner");

    // An upload streams straight into the bucket.
    let part = reqwest::multipart::Part::bytes(png(640, 480)).file_name("rex.png").mime_str("image/png").unwrap();
    let response = client
        .post(format!("{}/api/v1/media?purpose=pet_photo", serve.base_url))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let upload: Value = response.json().await.unwrap();
    assert_eq!(upload["status"], "processing");
    let uploaded = production.s3.keys().await;
    assert_eq!(uploaded.len(), 1, "{uploaded:?}");

    // The worker Deployment / compose service cleans it and writes the
    // derivatives to the same bucket.
    let worker = production.spawn("worker").await;
    let media = format!("{}/api/v1/media/{}", serve.base_url, upload["id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let processed = loop {
        let state: Value = client.get(&media).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        if state["status"] != "processing" {
            break state;
        }
        assert!(Instant::now() < deadline, "the worker did not process the upload");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(processed["status"], "ready", "{processed}");
    assert_eq!((processed["width"].as_u64(), processed["height"].as_u64()), (Some(640), Some(480)));
    let kept = production.s3.keys().await;
    assert!(kept.len() > 1, "the cleaned image and its derivatives: {kept:?}");

    // Both scrape targets answer, and the API's counts the requests above by route.
    for running in [&serve, &worker] {
        let metrics = client.get(&running.metrics_url).send().await.unwrap();
        assert_eq!(metrics.status(), StatusCode::OK);
    }
    let scraped = client.get(&serve.metrics_url).send().await.unwrap().text().await.unwrap();
    assert!(scraped.contains("route=\"/api/v1/users/me\""), "{scraped}");

    // Rolling updates stop them with SIGTERM: both exit cleanly well within
    // their termination grace periods (35 s and 45 s in deploy/k8s).
    for (running, grace) in [(worker, 45), (serve, 35)] {
        let status = running.terminate(Duration::from_secs(grace)).await;
        assert!(status.success(), "{status}");
    }
}

#[tokio::test]
async fn production_without_the_media_signing_secret_refuses_to_start_and_says_which_setting() {
    let mut environment = manifests();
    environment.remove("VET__MEDIA__SIGNING_SECRET");
    for command in ["serve", "worker"] {
        let output = run(gateway(&[command], &environment));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{command} started without a media signing secret");
        assert!(
            stderr.contains("[media]: set signing_secret (VET__MEDIA__SIGNING_SECRET) in production"),
            "{command}: {stderr}"
        );
    }
}
