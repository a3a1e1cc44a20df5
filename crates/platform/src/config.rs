//! Typed configuration, loaded once at start-up.
//!
//! Layers, later ones winning:
//! 1. `config/default.toml`;
//! 2. `config/$APP_ENV.toml` (`development` when unset; also `test`, `production`);
//! 3. environment variables `VET__SECTION__KEY` (e.g. `VET__DATABASE__URL`),
//!    lists comma-separated (`VET__CORS__ALLOWED_ORIGINS=https://a,https://b`).
//!
//! [`Source`] reads the layers once. [`Settings`] holds what every crate shares
//! (server, database, Redis, auth, CORS, logs, quotas); each domain crate owns
//! the section named after it (`[appointments]`, `[media]`...) as a struct of
//! its own implementing [`Section`], checked with its own rules. The binary
//! reads the sections of the crates it runs and hands each crate its own: a
//! binary reusing `appointments` needs no view of media's settings.
//!
//! Nothing is global: settings travel in `AppState` and in each crate's
//! state. Secrets are [`SecretString`]s: their `Debug` prints `[REDACTED]`, so
//! logging a settings struct cannot leak them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Which deployment the process runs as; selects the overlay file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine: pretty logs, auto-migration, local dev keys.
    Development,
    /// Automated tests.
    Test,
    /// A real deployment.
    Production,
}

impl Environment {
    /// Reads `APP_ENV`; unset means development.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var("APP_ENV").as_deref() {
            Err(_) | Ok("development") | Ok("dev") => Ok(Self::Development),
            Ok("test") => Ok(Self::Test),
            Ok("production") | Ok("prod") => Ok(Self::Production),
            Ok(other) => Err(ConfigError(format!("unknown APP_ENV `{other}`"))),
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

/// The configuration could not be loaded or is inconsistent.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// The settings every crate shares; each crate's own are a [`Section`].
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Filled from `APP_ENV`, not from files.
    #[serde(skip_deserializing, default = "default_environment")]
    pub environment: Environment,
    /// HTTP server.
    pub server: ServerSettings,
    /// PostgreSQL.
    pub database: DatabaseSettings,
    /// Redis.
    pub redis: RedisSettings,
    /// Session token verification.
    pub auth: AuthSettings,
    /// Cross-origin requests from browser clients.
    pub cors: CorsSettings,
    /// Logging.
    pub log: LogSettings,
    /// Request quotas.
    pub rate_limit: RateLimitSettings,
    /// The Prometheus endpoint.
    pub metrics: MetricsSettings,
    /// Traces (OpenTelemetry).
    pub telemetry: TelemetrySettings,
    /// Error reports (Sentry).
    pub error_tracking: ErrorTrackingSettings,
}

fn default_environment() -> Environment {
    Environment::Development
}

/// HTTP server limits and behaviour.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// Interface to bind, e.g. `0.0.0.0`.
    pub host: String,
    /// Port to bind; `0` picks a free one (tests).
    pub port: u16,
    /// Worker threads; `0` means one per CPU core.
    pub workers: usize,
    /// Seconds a graceful shutdown waits for in-flight requests.
    pub shutdown_timeout_secs: u64,
    /// Seconds a handler may run before the client gets 504.
    pub request_timeout_secs: u64,
    /// Milliseconds a client has to send the request head (cuts slow-header clients).
    pub client_request_timeout_ms: u64,
    /// Seconds an idle keep-alive connection stays open.
    pub keep_alive_secs: u64,
    /// Largest accepted JSON body, in bytes (413 beyond).
    pub json_limit_bytes: usize,
    /// Send `Strict-Transport-Security` (only behind TLS).
    pub hsts: bool,
    /// Milliseconds a passing readiness check is reused, so that probes (or
    /// anyone) calling `/health/ready` cost at most one check per interval.
    pub readiness_cache_ms: u64,
}

/// PostgreSQL connection and pool.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/db`; secret because of the password.
    pub url: SecretString,
    /// Most connections this process holds.
    pub max_connections: usize,
    /// Milliseconds a request waits for a free connection (then 503).
    pub wait_timeout_ms: u64,
    /// Milliseconds opening a connection may take.
    pub create_timeout_ms: u64,
    /// Milliseconds checking a pooled connection may take.
    pub recycle_timeout_ms: u64,
    /// Milliseconds since its last checkout after which a pooled connection is
    /// verified (a `SELECT 1`) before it is handed out again.
    pub verify_idle_after_ms: u64,
    /// Milliseconds any statement may run before Postgres cancels it.
    pub statement_timeout_ms: u64,
    /// Apply pending migrations when `serve` starts (never in production).
    pub auto_migrate: bool,
}

impl DatabaseSettings {
    /// The pool settings derived from this section.
    pub fn pool_settings(&self) -> db::PoolSettings {
        use secrecy::ExposeSecret;
        db::PoolSettings {
            url: self.url.expose_secret().to_owned(),
            max_size: self.max_connections,
            wait_timeout: Duration::from_millis(self.wait_timeout_ms),
            create_timeout: Duration::from_millis(self.create_timeout_ms),
            recycle_timeout: Duration::from_millis(self.recycle_timeout_ms),
            verify_idle_after: Duration::from_millis(self.verify_idle_after_ms),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
        }
    }
}

/// Redis connection and pool.
#[derive(Debug, Clone, Deserialize)]
pub struct RedisSettings {
    /// `redis://host:port/db`; secret because it may carry a password.
    pub url: SecretString,
    /// Most connections this process holds.
    pub max_connections: usize,
    /// Milliseconds to wait for, create or recycle a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds a single command may take before it counts as failed.
    pub command_timeout_ms: u64,
}

/// Verification of the identity provider's (Clerk's) session tokens.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Exact expected `iss` (the Clerk frontend API URL).
    pub issuer: String,
    /// Where to fetch the JWKS; takes precedence over `jwks_file`.
    pub jwks_url: Option<String>,
    /// A JWKS file (development: the public half of the dev signing key).
    pub jwks_file: Option<PathBuf>,
    /// Origins allowed in `azp`.
    #[serde(deserialize_with = "list")]
    pub authorized_parties: Vec<String>,
    /// Reject tokens without `azp`.
    pub require_azp: bool,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: u64,
    /// How long fetched keys are trusted before a refresh (at most 300).
    pub jwks_cache_ttl_secs: u64,
    /// Least time between two refetches triggered by unknown `kid`s.
    pub jwks_refetch_cooldown_secs: u64,
    /// Milliseconds a JWKS fetch may take.
    pub jwks_fetch_timeout_ms: u64,
    /// Folder holding the development signing key (development only).
    pub dev_key_dir: Option<PathBuf>,
    /// How long a resolved caller (user id, role, active flag) is reused, in
    /// milliseconds; bounds how late another instance sees a role change.
    pub principal_cache_ttl_ms: u64,
}

/// Request quotas, counted in Redis so every gateway instance shares them.
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    /// Count requests at all.
    pub enabled: bool,
    /// When Redis cannot be asked: serve (`true`) or answer 503 (`false`).
    pub fail_open: bool,
    /// Length of one counting window, in seconds.
    pub window_secs: u64,
    /// Prepended to every Redis key (separates deployments sharing a Redis).
    pub key_prefix: String,
    /// Header carrying the client address, set by a trusted proxy in front of
    /// us (its last entry is used); unset means the socket peer address.
    pub trusted_proxy_header: Option<String>,
    /// Path prefixes counted as auth-sensitive (exports, credential changes).
    #[serde(deserialize_with = "list")]
    pub auth_sensitive_paths: Vec<String>,
    /// Requests per window by caller kind (`anonymous` or a role name) and class.
    pub limits: std::collections::BTreeMap<String, ClassLimits>,
}

/// Requests per window for each route class.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ClassLimits {
    /// GET and HEAD.
    pub read: u64,
    /// Everything that changes state.
    pub write: u64,
    /// Paths in `auth_sensitive_paths`.
    pub auth_sensitive: u64,
    /// `/webhooks/...`; only the `anonymous` entry is used (senders are
    /// counted by address).
    #[serde(default)]
    pub webhook: u64,
}

/// Browser cross-origin policy.
#[derive(Debug, Clone, Deserialize)]
pub struct CorsSettings {
    /// Exact origins allowed, e.g. `https://app.example.com`; `*` for any.
    #[serde(deserialize_with = "list")]
    pub allowed_origins: Vec<String>,
    /// Allow cookies/credentials; refused together with `*`.
    pub allow_credentials: bool,
    /// Seconds browsers may cache a preflight answer.
    pub max_age_secs: usize,
}

/// Prometheus metrics, served on their own listener so they are never
/// public by accident.
#[derive(Debug, Clone, Deserialize)]
pub struct MetricsSettings {
    /// Serve `/metrics` at all.
    pub enabled: bool,
    /// Where: `host:port` (port 0 picks a free one, for tests).
    pub address: String,
}

/// OpenTelemetry traces: spans are always made (their trace id is in every
/// log line, an incoming `traceparent` is continued); they leave the process
/// only when `otlp_endpoint` is set.
#[derive(Debug, Clone, Deserialize)]
pub struct TelemetrySettings {
    /// An OTLP/HTTP collector, e.g. `http://otel-collector:4318`; none: no export.
    pub otlp_endpoint: Option<String>,
    /// How spans are encoded for the collector.
    pub otlp_protocol: OtlpProtocol,
    /// `service.name` of every span.
    pub service_name: String,
}

/// Error reports: panics and 5xx answers go to Sentry when a DSN is set.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorTrackingSettings {
    /// The project's DSN (`VET__ERROR_TRACKING__SENTRY_DSN`); none: no reports.
    pub sentry_dsn: Option<SecretString>,
}

/// OTLP/HTTP encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum OtlpProtocol {
    /// Protocol buffers (what collectors expect by default).
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
    /// JSON.
    #[serde(rename = "http/json")]
    HttpJson,
}

/// Log output.
#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `json` (one object per line) or `pretty` (human readable).
    pub format: LogFormat,
    /// `tracing` filter directive, e.g. `info,platform=debug`; `RUST_LOG` wins.
    pub filter: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human readable, for a terminal.
    Pretty,
}

/// One crate's own settings: the section of the configuration named
/// [`Section::NAME`] (by convention the crate's name), read with
/// [`Source::section`].
pub trait Section: DeserializeOwned {
    /// The section's name, e.g. `appointments` for `[appointments]` and `VET__APPOINTMENTS__*`.
    const NAME: &'static str;

    /// Rules across fields, or for an environment (a development secret in
    /// production); the message names the field.
    fn check(&self, environment: Environment) -> Result<(), String> {
        let _ = environment;
        Ok(())
    }
}

/// The layered configuration of one environment, read once.
#[derive(Debug, Clone)]
pub struct Source {
    environment: Environment,
    layers: config::Config,
}

impl Source {
    /// The configuration of `APP_ENV` from `VET_CONFIG_DIR` (default `./config`).
    pub fn load() -> Result<Self, ConfigError> {
        let dir = std::env::var_os("VET_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
        Self::load_from(&dir, Environment::from_env()?)
    }

    /// The configuration of `environment` from `dir`, with environment overrides.
    pub fn load_from(dir: &Path, environment: Environment) -> Result<Self, ConfigError> {
        let variables =
            config::Environment::with_prefix("VET").prefix_separator("__").separator("__").try_parsing(true);
        let layers = config::Config::builder()
            .add_source(config::File::from(dir.join("default.toml")))
            .add_source(config::File::from(dir.join(format!("{}.toml", environment.file_stem()))).required(false))
            .add_source(variables)
            .build()
            .map_err(|error| ConfigError(error.to_string()))?;
        Ok(Self { environment, layers })
    }

    /// The same configuration with `key` (`section.field`) set to `value`, over
    /// every layer (the test harness points each test at its own database).
    pub fn with_override(self, key: &str, value: impl Into<config::Value>) -> Result<Self, ConfigError> {
        let layers = config::Config::builder()
            .add_source(self.layers)
            .set_override(key, value)
            .and_then(|builder| builder.build())
            .map_err(|error| ConfigError(error.to_string()))?;
        Ok(Self { environment: self.environment, layers })
    }

    /// Which deployment this is.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The shared settings.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let mut settings: Settings =
            self.layers.clone().try_deserialize().map_err(|error| ConfigError(error.to_string()))?;
        settings.environment = self.environment;
        settings.validate()?;
        Ok(settings)
    }

    /// The section `T` owns, checked by its own rules.
    pub fn section<T: Section>(&self) -> Result<T, ConfigError> {
        let section: T = self.layers.get(T::NAME).map_err(|error| ConfigError(format!("[{}]: {error}", T::NAME)))?;
        section.check(self.environment).map_err(|problem| ConfigError(format!("[{}]: {problem}", T::NAME)))?;
        Ok(section)
    }
}

/// `#[serde(deserialize_with = "platform::config::list")]`: a list written as a
/// TOML array or, in an environment variable, comma-separated (`14,3`).
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + std::str::FromStr,
    T::Err: std::fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written<T> {
        Array(Vec<T>),
        Text(String),
        One(T),
    }
    match Written::<T>::deserialize(deserializer)? {
        Written::Array(items) => Ok(items),
        Written::One(item) => Ok(vec![item]),
        Written::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| item.parse().map_err(serde::de::Error::custom))
            .collect(),
    }
}

impl Settings {
    /// The shared settings for `APP_ENV` (see [`Source::load`]).
    pub fn load() -> Result<Self, ConfigError> {
        Source::load()?.settings()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.cors.allow_credentials && self.cors.allowed_origins.iter().any(|origin| origin == "*") {
            return Err(ConfigError("cors: `*` origin cannot be combined with allow_credentials".into()));
        }
        if self.auth.jwks_url.is_none() && self.auth.jwks_file.is_none() {
            return Err(ConfigError("auth: set jwks_url or jwks_file".into()));
        }
        if self.auth.jwks_cache_ttl_secs > 300 {
            return Err(ConfigError("auth: jwks_cache_ttl_secs must be at most 300".into()));
        }
        if !self.rate_limit.limits.contains_key("anonymous") {
            return Err(ConfigError("rate_limit: limits.anonymous is required".into()));
        }
        if self.environment == Environment::Production {
            if self.auth.dev_key_dir.is_some() || self.auth.jwks_file.is_some() {
                return Err(ConfigError("auth: development keys are refused in production".into()));
            }
            if self.database.auto_migrate {
                return Err(ConfigError(
                    "database: auto_migrate is refused in production; run `gateway migrate run`".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
    }

    fn test_source() -> Source {
        Source::load_from(&config_dir(), Environment::Test).unwrap()
    }

    #[test]
    fn every_environment_file_loads() {
        for environment in [Environment::Development, Environment::Test] {
            let settings = Source::load_from(&config_dir(), environment).unwrap().settings().unwrap();
            assert_eq!(settings.environment, environment);
            assert!(settings.server.json_limit_bytes > 0);
        }
    }

    #[test]
    fn secrets_never_print() {
        let printed = format!("{:?}", test_source().settings().unwrap());
        assert!(!printed.contains("postgres://"), "database url leaked: {printed}");
        assert!(printed.contains("REDACTED"));
    }

    #[test]
    fn wildcard_origin_with_credentials_is_refused() {
        let mut settings = test_source().settings().unwrap();
        settings.cors.allowed_origins = vec!["*".into()];
        settings.cors.allow_credentials = true;
        assert!(settings.validate().is_err());
    }

    #[test]
    fn production_refuses_development_keys() {
        let mut settings = Source::load_from(&config_dir(), Environment::Development).unwrap().settings().unwrap();
        settings.environment = Environment::Production;
        settings.database.auto_migrate = false;
        assert!(settings.validate().is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Lists {
        #[serde(deserialize_with = "list")]
        hours: Vec<i64>,
        #[serde(deserialize_with = "list")]
        origins: Vec<String>,
    }

    impl Section for Lists {
        const NAME: &'static str = "lists";
        fn check(&self, _: Environment) -> Result<(), String> {
            if self.hours.is_empty() { Err("hours: at least one".into()) } else { Ok(()) }
        }
    }

    #[test]
    fn a_section_reads_lists_from_arrays_and_from_comma_separated_overrides() {
        let source = test_source()
            .with_override("lists.hours", vec![24, 2])
            .and_then(|source| source.with_override("lists.origins", "https://a, https://b"))
            .unwrap();
        let lists: Lists = source.section().unwrap();
        assert_eq!((lists.hours, lists.origins), (vec![24, 2], vec!["https://a".to_owned(), "https://b".to_owned()]));
        let one: Lists = source.clone().with_override("lists.hours", "24").unwrap().section().unwrap();
        assert_eq!(one.hours, [24]);
        let refused = source.with_override("lists.hours", "").unwrap().section::<Lists>().unwrap_err();
        assert!(refused.to_string().contains("[lists]: hours"), "{refused}");
    }
}
