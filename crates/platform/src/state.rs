//! `AppState`: what every crate's handlers share, built once at start-up.
//!
//! It holds the shared settings, the pools, the token verifier, the quotas and
//! the clock. A crate's own settings and clients are its own state, handed to
//! its `routes` by the binary (`web::Data<appointments::Settings>`,
//! `web::Data<media::Uploads>`), never looked up here.

use std::sync::Arc;
use std::time::Duration;

use kernel::Clock;

use crate::auth::{KeySource, KeyStore, Principals, TokenVerifier};
use crate::config::Settings;
use crate::rate_limit::RateLimiter;

/// Start-up failed; the message says which part.
#[derive(Debug, thiserror::Error)]
#[error("start-up failed: {0}")]
pub struct StartupError(String);

/// Shared, cheaply clonable application state (pools and caches are `Arc`s).
#[derive(Clone)]
pub struct AppState {
    settings: Arc<Settings>,
    db: db::Pool,
    redis: deadpool_redis::Pool,
    verifier: Arc<TokenVerifier>,
    principals: Principals,
    rate_limiter: Arc<RateLimiter>,
    clock: Clock,
    last_readiness: Arc<crate::health::LastReadiness>,
}

impl AppState {
    /// Builds pools and the token verifier over the system clock; opens no connection yet.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Clock::system())
    }

    /// Like [`AppState::build`], with the clock services read "now" from (tests move it).
    pub fn build_with_clock(settings: Settings, clock: Clock) -> Result<Self, StartupError> {
        crate::metrics::handle(); // the recorder is in place before the first request or job
        let db = db::build_pool(&settings.database.pool_settings())
            .map_err(|error| StartupError(format!("database pool: {error}")))?;
        let redis =
            crate::cache::build_pool(&settings.redis).map_err(|error| StartupError(format!("redis pool: {error}")))?;
        let auth = &settings.auth;
        let source = match (&auth.jwks_url, &auth.jwks_file) {
            (Some(url), _) => KeySource::Url(url.clone()),
            (None, Some(path)) => KeySource::File(path.clone()),
            (None, None) => return Err(StartupError("auth: set jwks_url or jwks_file".into())),
        };
        let keys = KeyStore::new(
            source,
            Duration::from_secs(auth.jwks_cache_ttl_secs),
            Duration::from_secs(auth.jwks_refetch_cooldown_secs),
            Duration::from_millis(auth.jwks_fetch_timeout_ms),
        )
        .map_err(|error| StartupError(format!("JWKS client: {error}")))?;
        let verifier = Arc::new(TokenVerifier::new(auth, keys));
        let principals = Principals::new(Duration::from_millis(auth.principal_cache_ttl_ms));
        let rate_limiter = Arc::new(RateLimiter::new(
            settings.rate_limit.clone(),
            Duration::from_millis(settings.redis.command_timeout_ms),
        ));
        Ok(Self {
            settings: Arc::new(settings),
            db,
            redis,
            verifier,
            principals,
            rate_limiter,
            clock,
            last_readiness: Arc::default(),
        })
    }

    /// The last readiness outcome, shared by every worker of the process.
    pub(crate) fn last_readiness(&self) -> &crate::health::LastReadiness {
        &self.last_readiness
    }

    /// The loaded configuration.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The Postgres pool; handlers check out one connection with [`db::connect`].
    pub fn db(&self) -> &db::Pool {
        &self.db
    }

    /// The Redis pool.
    pub fn redis(&self) -> &deadpool_redis::Pool {
        &self.redis
    }

    /// Resolved callers (user id, role, active flag), cached briefly.
    pub fn principals(&self) -> &Principals {
        &self.principals
    }

    /// The request quotas.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.rate_limiter
    }

    /// The session token verifier.
    pub fn verifier(&self) -> &TokenVerifier {
        &self.verifier
    }

    /// The clock every "now" of a service comes from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}
