//! Typed configuration, loaded once at start-up.
//!
//! Layers, later ones winning:
//! 1. `config/default.toml`;
//! 2. `config/$APP_ENV.toml` (`development` when unset; also `test`, `production`);
//! 3. environment variables `VET__SECTION__KEY` (e.g. `VET__DATABASE__URL`),
//!    lists comma-separated (`VET__CORS__ALLOWED_ORIGINS=https://a,https://b`).
//!
//! The result is passed around inside `AppState`; there is no global settings
//! static. Secrets are [`SecretString`]s: their `Debug` prints `[REDACTED]`, so
//! logging the whole struct cannot leak them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

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

/// The signing secret of `config/default.toml`, refused in production.
pub const DEVELOPMENT_SIGNING_SECRET: &str = "development-only-media-signing-secret";

/// All settings of the service.
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
    /// Incoming webhooks from third parties.
    pub webhooks: WebhookSettings,
    /// Request quotas.
    pub rate_limit: RateLimitSettings,
    /// Background job workers.
    pub jobs: JobsSettings,
    /// Notification channels and their providers.
    pub notifications: NotificationSettings,
    /// Clinics and their staff.
    pub clinics: ClinicSettings,
    /// Pets, their records and reminders.
    pub pets: PetSettings,
    /// Scheduling.
    pub appointments: AppointmentSettings,
    /// Uploaded files.
    pub media: MediaSettings,
}

/// Where uploaded files live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// A directory on this machine (the default; one instance only).
    Local,
    /// An S3-compatible store (AWS S3, MinIO, Supabase Storage).
    S3,
}

/// Uploaded files: limits, storage and signed links.
#[derive(Debug, Clone, Deserialize)]
pub struct MediaSettings {
    /// `local` or `s3`.
    pub storage: StorageKind,
    /// The directory of the local store.
    pub local_dir: PathBuf,
    /// The S3 store, when `storage = "s3"`.
    pub s3: S3Settings,
    /// Largest image upload, in bytes (413 beyond).
    pub max_image_bytes: u64,
    /// Largest document (PDF) upload, in bytes.
    pub max_document_bytes: u64,
    /// Largest image in pixels (width × height): refused before it is decoded.
    pub max_pixels: u64,
    /// Memory one image decode may allocate, in bytes.
    pub max_decode_bytes: u64,
    /// Long sides, in pixels, of the derivatives made of every image.
    pub derivative_sizes: Vec<u32>,
    /// Key of signed links (HMAC-SHA256).
    pub signing_secret: SecretString,
    /// Seconds a signed link stays valid.
    pub link_ttl_secs: i64,
    /// Hours an upload may wait to be attached before cleanup removes it.
    pub unattached_grace_hours: i64,
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, Deserialize)]
pub struct S3Settings {
    /// Bucket name.
    pub bucket: Option<String>,
    /// Region, e.g. `eu-west-3`.
    pub region: String,
    /// Endpoint for S3-compatible stores (MinIO, Supabase); AWS when absent.
    pub endpoint: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<SecretString>,
    /// Allow a plain `http://` endpoint (local MinIO).
    pub allow_http: bool,
}

/// Scheduling: the slot grid, booking bounds, reminders, the waitlist.
#[derive(Debug, Clone, Deserialize)]
pub struct AppointmentSettings {
    /// Minutes between bookable start times, counted from each local midnight.
    pub slot_minutes: u32,
    /// Owners book at least this many minutes ahead.
    pub min_notice_minutes: i64,
    /// Nobody books further ahead than this many days.
    pub horizon_days: i64,
    /// Upcoming appointments one owner may hold (booking hoarding stops there).
    pub max_upcoming_per_owner: i64,
    /// Reminders go out this many hours before an appointment.
    pub reminder_hours_before: Vec<i64>,
    /// Minutes a waitlisted owner has to accept a freed slot.
    pub waitlist_offer_minutes: i64,
    /// Longest range, in days, one availability, calendar or statistics request covers.
    pub max_range_days: i64,
}

/// Pets, their health records and care reminders.
#[derive(Debug, Clone, Deserialize)]
pub struct PetSettings {
    /// Days an invitation to co-own a pet stays open.
    pub invitation_ttl_days: i64,
    /// Reminders go out this many days before care is due (and on the day).
    pub reminder_lead_days: Vec<i64>,
    /// Follow-ups this many days after the due date while nothing new was recorded.
    pub reminder_overdue_days: Vec<i64>,
    /// Local hour (in the owner's time zone) reminders are sent at.
    pub reminder_hour: u32,
    /// A vaccination due within this many days is "due soon" in the summary.
    pub due_soon_days: i64,
}

/// Clinics and their staff.
#[derive(Debug, Clone, Deserialize)]
pub struct ClinicSettings {
    /// Days an invitation to join a clinic's staff stays open.
    pub invitation_ttl_days: i64,
}

/// Background job workers (`gateway worker`).
#[derive(Debug, Clone, Deserialize)]
pub struct JobsSettings {
    /// Jobs one worker process runs at the same time.
    pub concurrency: usize,
    /// Postgres connections of one worker process (plus one for LISTEN).
    pub max_connections: u32,
    /// Milliseconds between polls when no notification arrived.
    pub poll_interval_ms: u64,
    /// Seconds between a worker's liveness heartbeats.
    pub heartbeat_interval_secs: u64,
    /// Seconds between sweeps for dead workers.
    pub sweep_interval_secs: u64,
    /// Seconds without a heartbeat after which a worker counts as dead and its
    /// jobs are released: the lease of a job.
    pub lease_secs: u64,
    /// Seconds before a released job runs again.
    pub recovery_delay_secs: u64,
    /// Seconds in-flight jobs get to finish on SIGTERM before they are released.
    pub shutdown_grace_secs: u64,
    /// Days processed webhook deliveries are kept (redelivery deduplication).
    pub webhook_retention_days: i32,
}

/// Notification channels; each provider defaults to `log` (no account needed).
#[derive(Debug, Clone, Deserialize)]
pub struct NotificationSettings {
    /// Days notifications (inbox entries and their delivery log) are kept.
    pub retention_days: i32,
    /// Email.
    pub email: EmailSettings,
    /// SMS.
    pub sms: SmsSettings,
    /// Mobile push.
    pub push: PushSettings,
}

/// Which implementation a channel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Log the delivery (no contact details) and report success.
    Log,
    /// SMTP for email.
    Smtp,
    /// A Twilio-compatible Messages API for SMS.
    Twilio,
    /// Firebase Cloud Messaging HTTP v1 for push.
    Fcm,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay or a test server only).
    None,
    /// Upgrade with STARTTLS (usually port 587); refuse if the server cannot.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Email through SMTP.
#[derive(Debug, Clone, Deserialize)]
pub struct EmailSettings {
    /// `log` or `smtp`.
    pub provider: ProviderKind,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// Connection security.
    pub tls: SmtpTls,
    /// SMTP user name, when the server requires authentication.
    pub username: Option<String>,
    /// SMTP password (secret).
    pub password: Option<SecretString>,
    /// Default `From` (a clinic's own address replaces it when the clinic sends).
    pub from: String,
    /// Milliseconds one SMTP exchange may take.
    pub timeout_ms: u64,
}

/// SMS through a Twilio-compatible HTTP API.
#[derive(Debug, Clone, Deserialize)]
pub struct SmsSettings {
    /// `log` or `twilio`.
    pub provider: ProviderKind,
    /// API base URL, e.g. `https://api.twilio.com`.
    pub base_url: String,
    /// Account SID.
    pub account_sid: Option<String>,
    /// Auth token (secret).
    pub auth_token: Option<SecretString>,
    /// Sending number (E.164) or messaging service.
    pub from: Option<String>,
    /// Milliseconds one API call may take.
    pub timeout_ms: u64,
}

/// Push through FCM HTTP v1.
#[derive(Debug, Clone, Deserialize)]
pub struct PushSettings {
    /// `log` or `fcm`.
    pub provider: ProviderKind,
    /// API base URL, e.g. `https://fcm.googleapis.com`.
    pub base_url: String,
    /// Google service account key file (JSON: `project_id`, `client_email`,
    /// `private_key`, `token_uri`).
    pub service_account_file: Option<PathBuf>,
    /// Milliseconds one API call may take.
    pub timeout_ms: u64,
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

/// Incoming webhooks.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// Clerk's Svix signing secret (`whsec_...`); webhooks are refused without it.
    pub clerk_secret: Option<SecretString>,
    /// Largest accepted distance between the signature timestamp and now, in seconds.
    pub tolerance_secs: i64,
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
    pub allowed_origins: Vec<String>,
    /// Allow cookies/credentials; refused together with `*`.
    pub allow_credentials: bool,
    /// Seconds browsers may cache a preflight answer.
    pub max_age_secs: usize,
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

impl Settings {
    /// Loads the configuration for `APP_ENV` from `VET_CONFIG_DIR` (default `./config`).
    pub fn load() -> Result<Self, ConfigError> {
        let dir = std::env::var_os("VET_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
        Self::load_from(&dir, Environment::from_env()?)
    }

    /// Loads the configuration of `environment` from `dir`, with env overrides.
    pub fn load_from(dir: &Path, environment: Environment) -> Result<Self, ConfigError> {
        let environment_variables = config::Environment::with_prefix("VET")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("cors.allowed_origins")
            .with_list_parse_key("auth.authorized_parties")
            .with_list_parse_key("rate_limit.auth_sensitive_paths")
            .with_list_parse_key("pets.reminder_lead_days")
            .with_list_parse_key("pets.reminder_overdue_days")
            .with_list_parse_key("appointments.reminder_hours_before")
            .with_list_parse_key("media.derivative_sizes");
        let mut settings: Settings = config::Config::builder()
            .add_source(config::File::from(dir.join("default.toml")))
            .add_source(config::File::from(dir.join(format!("{}.toml", environment.file_stem()))).required(false))
            .add_source(environment_variables)
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(|error| ConfigError(error.to_string()))?;
        settings.environment = environment;
        settings.validate()?;
        Ok(settings)
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
            if secrecy::ExposeSecret::expose_secret(&self.media.signing_secret) == DEVELOPMENT_SIGNING_SECRET {
                return Err(ConfigError("media: set signing_secret (VET__MEDIA__SIGNING_SECRET) in production".into()));
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

    #[test]
    fn every_environment_file_loads() {
        for environment in [Environment::Development, Environment::Test] {
            let settings = Settings::load_from(&config_dir(), environment).unwrap();
            assert_eq!(settings.environment, environment);
            assert!(settings.server.json_limit_bytes > 0);
        }
    }

    #[test]
    fn secrets_never_print() {
        let settings = Settings::load_from(&config_dir(), Environment::Test).unwrap();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("postgres://"), "database url leaked: {printed}");
        assert!(printed.contains("REDACTED"));
    }

    #[test]
    fn wildcard_origin_with_credentials_is_refused() {
        let mut settings = Settings::load_from(&config_dir(), Environment::Test).unwrap();
        settings.cors.allowed_origins = vec!["*".into()];
        settings.cors.allow_credentials = true;
        assert!(settings.validate().is_err());
    }

    #[test]
    fn production_refuses_development_keys() {
        let mut settings = Settings::load_from(&config_dir(), Environment::Development).unwrap();
        settings.environment = Environment::Production;
        settings.database.auto_migrate = false;
        assert!(settings.validate().is_err());
    }
}
