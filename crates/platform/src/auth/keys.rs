//! The identity provider's public keys (JWKS), cached.
//!
//! Rules, chosen so that key rotation works without a restart and an outage of
//! the identity provider does not take us down:
//! - keys are trusted for at most `ttl` (≤ 5 minutes), then refetched;
//! - a token whose `kid` is unknown triggers one refetch, at most once per
//!   `cooldown` (counted between such refetches only: a key published after
//!   the last scheduled fetch is picked up by its first token), so random
//!   `kid`s cannot make us hammer the provider;
//! - a refetch that fails keeps the keys we have (warm cache keeps serving) and
//!   is retried after [`FAILED_REFRESH_BACKOFF`]; with no keys at all (cold
//!   cache) the caller gets `Unavailable` (503) within the fetch timeout;
//! - only one fetch runs at a time; concurrent callers wait for its result.
//!
//! In development the keys come from a file instead of a URL, through the same code.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use tokio::time::Instant;

/// How long to wait before retrying after a failed refresh of a warm cache.
pub const FAILED_REFRESH_BACKOFF: Duration = Duration::from_secs(5);

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A JWKS endpoint (Clerk: `https://<frontend-api>/.well-known/jwks.json`).
    Url(String),
    /// A JWKS file on disk (development).
    File(PathBuf),
}

/// Why no key could be produced for a `kid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// The key set is known and does not hold this `kid`.
    UnknownKid,
    /// No key set could be obtained at all.
    Unavailable,
}

#[derive(Default)]
struct Cached {
    keys: HashMap<String, Arc<DecodingKey>>,
    /// When the keys must be refreshed; `None` before the first successful fetch.
    refresh_due: Option<Instant>,
    /// When the last fetch (successful or not) started.
    last_attempt: Option<Instant>,
    /// When an unknown `kid` last caused a refetch.
    last_unknown_kid_refetch: Option<Instant>,
}

/// The cached key set.
pub struct KeyStore {
    source: KeySource,
    http: reqwest::Client,
    ttl: Duration,
    cooldown: Duration,
    cached: RwLock<Cached>,
    fetching: tokio::sync::Mutex<()>,
}

impl KeyStore {
    /// A store that has fetched nothing yet.
    pub fn new(
        source: KeySource,
        ttl: Duration,
        cooldown: Duration,
        fetch_timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(fetch_timeout)
            .connect_timeout(fetch_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            source,
            http,
            ttl,
            cooldown,
            cached: RwLock::new(Cached::default()),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// The verification key for `kid`, fetching the key set when needed.
    pub async fn key_for(&self, kid: &str) -> Result<Arc<DecodingKey>, KeyError> {
        let now = Instant::now();
        let should_refresh = {
            let cached = self.read();
            let fresh = cached.refresh_due.is_some_and(|due| now < due);
            match (fresh, cached.keys.contains_key(kid)) {
                (false, _) => true,
                (true, true) => false,
                (true, false) => {
                    drop(cached);
                    self.claim_unknown_kid_refetch(now)
                }
            }
        };
        if should_refresh {
            self.refresh(now).await;
        }
        let cached = self.read();
        match cached.keys.get(kid) {
            Some(key) => Ok(Arc::clone(key)),
            None if cached.refresh_due.is_none() => Err(KeyError::Unavailable),
            None => Err(KeyError::UnknownKid),
        }
    }

    /// Whether an unknown `kid` may cause a refetch now (once per `cooldown`);
    /// taking the write lock only on this rare path keeps known keys on reads.
    fn claim_unknown_kid_refetch(&self, now: Instant) -> bool {
        let mut cached = self.write();
        let cooled_down = cached.last_unknown_kid_refetch.is_none_or(|last| now.duration_since(last) >= self.cooldown);
        if cooled_down {
            cached.last_unknown_kid_refetch = Some(now);
        }
        cooled_down
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cached> {
        self.cached.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Cached> {
        self.cached.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fetches the key set unless another caller did so since `requested_at`.
    async fn refresh(&self, requested_at: Instant) {
        let _single_flight = self.fetching.lock().await;
        if self.read().last_attempt.is_some_and(|last| last >= requested_at) {
            return;
        }
        let started = Instant::now();
        let fetched = self.fetch().await;
        let mut cached = self.write();
        cached.last_attempt = Some(started);
        match fetched {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "JWKS refreshed");
                cached.keys = keys;
                cached.refresh_due = Some(started + self.ttl);
            }
            Err(error) if cached.refresh_due.is_some() => {
                tracing::warn!(%error, "JWKS refresh failed; keeping the cached keys");
                cached.refresh_due = Some(started + FAILED_REFRESH_BACKOFF);
            }
            Err(error) => tracing::error!(%error, "JWKS fetch failed and no keys are cached"),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, String> {
        let bytes = match &self.source {
            KeySource::Url(url) => {
                let response = crate::telemetry::send(self.http.get(url), "jwks fetch")
                    .await
                    .map_err(|error| error.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("JWKS endpoint answered {}", response.status()));
                }
                response.bytes().await.map_err(|error| error.to_string())?.to_vec()
            }
            KeySource::File(path) => {
                tokio::fs::read(path).await.map_err(|error| format!("{}: {error}", path.display()))?
            }
        };
        let set: JwkSet = serde_json::from_slice(&bytes).map_err(|error| format!("invalid JWKS: {error}"))?;
        Ok(set
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some((kid, Arc::new(key)))
            })
            .collect())
    }
}
