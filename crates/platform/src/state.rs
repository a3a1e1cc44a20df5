//! `AppState`: what every handler can reach, built once at start-up.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    shared: Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl AppState {
    /// Builds pools and the token verifier; opens no connection yet.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
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
        Ok(Self { settings: Arc::new(settings), db, redis, verifier, principals, rate_limiter, shared: Arc::default() })
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

    /// A client a crate above this one builds once from the settings and
    /// shares across requests (say, an object-store client): built on first
    /// use, then the same `Arc` for every caller.
    pub fn shared<T, E>(&self, build: impl FnOnce(&Settings) -> Result<T, E>) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        let mut shared = self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(existing) = shared.get(&TypeId::of::<T>()).and_then(|value| Arc::clone(value).downcast::<T>().ok())
        {
            return Ok(existing);
        }
        let built = Arc::new(build(&self.settings)?);
        shared.insert(TypeId::of::<T>(), built.clone());
        Ok(built)
    }
}
