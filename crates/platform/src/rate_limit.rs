//! Request quotas in Redis, shared by every gateway instance.
//!
//! Each request is counted once, against its caller and its route class:
//! - the caller is the verified user (limits of their role from config), or the
//!   client address for anonymous calls and calls with a bad token (the socket
//!   peer, or the last entry of `trusted_proxy_header` behind a trusted proxy);
//! - the class is `webhook` (`/webhooks/...`), `auth_sensitive` (configured path
//!   prefixes), `read` (GET, HEAD) or `write`.
//!
//! Counting is a fixed window per (caller, class) in one atomic Redis script.
//! An instance takes the numbers of its caller's next requests from Redis a
//! lease at a time (a hundredth of the limit, at least one, at most
//! [`MAX_LEASE`]) and admits those requests without asking again, so a busy
//! caller costs one round trip per lease, not per request. The window's count
//! in Redis includes every number leased, so no instance ever admits more
//! than the limit; a caller spread over several instances may be refused a
//! little early, by the leased numbers left unused elsewhere (fewer than 1%
//! of the limit per instance). Once the limit is spent the instance refuses
//! the caller itself until the window ends.
//! Over the limit: 429 with `Retry-After` and `RateLimit-Limit/Remaining/Reset`;
//! every counted response carries the `RateLimit-*` headers. When Redis cannot
//! answer within its command timeout the request is served and a warning logged
//! (`fail_open = true`, the default) or refused with 503 (`fail_open = false`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::http::Method;
use kernel::Role;
use moka::future::Cache;
use tokio::time::Instant;

use crate::config::{ClassLimits, RateLimitSettings};

/// What kind of work a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteClass {
    /// GET and HEAD.
    Read,
    /// Anything else.
    Write,
    /// Exports and other sensitive account operations.
    AuthSensitive,
    /// Calls from third parties to `/webhooks/...`.
    Webhook,
}

impl RouteClass {
    /// The class of `method path`.
    pub fn of(method: &Method, path: &str, settings: &RateLimitSettings) -> Self {
        if path.starts_with("/webhooks/") {
            Self::Webhook
        } else if settings.auth_sensitive_paths.iter().any(|prefix| path.starts_with(prefix.as_str())) {
            Self::AuthSensitive
        } else if method == Method::GET || method == Method::HEAD {
            Self::Read
        } else {
            Self::Write
        }
    }

    /// Its name in keys and metrics (`read`, `write`, `auth`, `webhook`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::AuthSensitive => "auth",
            Self::Webhook => "webhook",
        }
    }

    fn limit(self, limits: &ClassLimits) -> u64 {
        match self {
            Self::Read => limits.read,
            Self::Write => limits.write,
            Self::AuthSensitive => limits.auth_sensitive,
            Self::Webhook => limits.webhook,
        }
    }
}

/// The state of one caller's quota after counting a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in this window.
    pub remaining: u64,
    /// Seconds until the window resets.
    pub reset_secs: u64,
    /// Whether this request is within the limit.
    pub allowed: bool,
}

/// Why a request could not be counted.
#[derive(Debug, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct LimiterUnavailable(String);

/// Counts requests in Redis.
pub struct RateLimiter {
    settings: RateLimitSettings,
    command_timeout: Duration,
    script: redis::Script,
    leases: Cache<String, Arc<Mutex<Lease>>>,
}

/// The most request numbers one lease holds.
pub const MAX_LEASE: u64 = 100;

/// How many callers' leases an instance keeps (about 100 bytes each).
const LEASES_KEPT: u64 = 100_000;

/// Adds `ARGV[2]` (the lease) to the window counter, starting the window on
/// its first request; returns the count and the window's remaining milliseconds.
const COUNT_SCRIPT: &str = r"
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
";

/// The request numbers `next..=last` of a caller's window (ending at `ends`)
/// that this instance may admit without asking Redis.
#[derive(Debug)]
struct Lease {
    next: u64,
    last: u64,
    ends: Instant,
}

impl Lease {
    /// The numbers Redis granted: the window's count reached `count` by adding
    /// `size`, and numbers past `limit` admit nobody.
    fn granted(count: u64, size: u64, limit: u64, ends: Instant) -> Self {
        Self { next: count.saturating_sub(size) + 1, last: count.min(limit), ends }
    }

    /// The quota of the next request, or `None` when Redis must be asked (the
    /// lease is used up, or its window over).
    fn take(&mut self, limit: u64, now: Instant) -> Option<Quota> {
        if now >= self.ends {
            return None;
        }
        let reset_secs = u64::try_from((self.ends - now).as_millis()).unwrap_or(u64::MAX).div_ceil(1000).max(1);
        if self.next > limit {
            return Some(Quota { limit, remaining: 0, reset_secs, allowed: false });
        }
        if self.next > self.last {
            return None;
        }
        let number = self.next;
        self.next += 1;
        Some(Quota { limit, remaining: limit - number, reset_secs, allowed: true })
    }
}

/// How many numbers one lease takes for a window of `limit` requests.
fn lease_size(limit: u64) -> u64 {
    (limit / 100).clamp(1, MAX_LEASE)
}

impl RateLimiter {
    /// A limiter for `settings`, each Redis round trip bounded by `command_timeout`.
    pub fn new(settings: RateLimitSettings, command_timeout: Duration) -> Self {
        let window = Duration::from_secs(settings.window_secs.max(1));
        let leases = Cache::builder().max_capacity(LEASES_KEPT).time_to_live(window).build();
        Self { settings, command_timeout, script: redis::Script::new(COUNT_SCRIPT), leases }
    }

    /// The configuration it applies.
    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Counts one request of `identity` (e.g. `user:<id>`, `ip:<addr>`) in `class`;
    /// `role` is `None` for anonymous callers. `Ok(None)` when limiting is off.
    pub async fn count(
        &self,
        redis: &deadpool_redis::Pool,
        identity: &str,
        class: RouteClass,
        role: Option<Role>,
    ) -> Result<Option<Quota>, LimiterUnavailable> {
        if !self.settings.enabled {
            return Ok(None);
        }
        let limit = class.limit(&self.limits_for(role));
        let window_ms = self.settings.window_secs.saturating_mul(1000);
        let key = format!("{}:{}:{identity}", self.settings.key_prefix, class.name());
        if let Some(lease) = self.leases.get(&key).await
            && let Some(quota) = lease.lock().unwrap_or_else(PoisonError::into_inner).take(limit, Instant::now())
        {
            return Ok(Some(quota));
        }
        let size = lease_size(limit);
        let counted = async {
            let mut connection = redis.get().await.map_err(|error| LimiterUnavailable(error.to_string()))?;
            self.script
                .key(&key)
                .arg(window_ms)
                .arg(size)
                .invoke_async::<(u64, u64)>(&mut connection)
                .await
                .map_err(|error| LimiterUnavailable(error.to_string()))
        };
        let span =
            tracing::info_span!("redis", otel.name = "redis EVALSHA", otel.kind = "client", db.system.name = "redis");
        let (count, ttl_ms) =
            tokio::time::timeout(self.command_timeout, tracing::Instrument::instrument(counted, span))
                .await
                .map_err(|_| LimiterUnavailable("timed out".to_owned()))??;
        let now = Instant::now();
        let mut lease = Lease::granted(count, size, limit, now + Duration::from_millis(ttl_ms.max(1)));
        let quota = lease.take(limit, now).unwrap_or(Quota { limit, remaining: 0, reset_secs: 1, allowed: false });
        self.leases.insert(key, Arc::new(Mutex::new(lease))).await;
        Ok(Some(quota))
    }

    fn limits_for(&self, role: Option<Role>) -> ClassLimits {
        let limits = &self.settings.limits;
        let by_name = |name: &str| limits.get(name).copied();
        match role {
            None => by_name("anonymous"),
            Some(role) => by_name(role.as_str()).or_else(|| by_name(Role::PetOwner.as_str())),
        }
        .or_else(|| by_name("anonymous"))
        .unwrap_or(ClassLimits { read: 0, write: 0, auth_sensitive: 0, webhook: 0 })
    }
}

/// Headers describing a quota, on every counted response.
pub fn quota_headers(quota: &Quota) -> [(actix_web::http::header::HeaderName, u64); 3] {
    use actix_web::http::header::HeaderName;
    [
        (HeaderName::from_static("ratelimit-limit"), quota.limit),
        (HeaderName::from_static("ratelimit-remaining"), quota.remaining),
        (HeaderName::from_static("ratelimit-reset"), quota.reset_secs),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_admits_its_numbers_then_refuses_past_the_limit_until_the_window_ends() {
        let now = Instant::now();
        let ends = now + Duration::from_secs(60);
        // The window's count went from 95 to 100 of 98: numbers 96, 97 and 98 are ours.
        let mut lease = Lease::granted(100, 5, 98, ends);
        let remaining: Vec<_> = (0..3).map(|_| lease.take(98, now).map(|quota| quota.remaining)).collect();
        assert_eq!(remaining, [Some(2), Some(1), Some(0)]);
        let refused = lease.take(98, now).unwrap();
        assert!(!refused.allowed && refused.remaining == 0 && refused.reset_secs == 60);
        assert!(lease.take(98, ends).is_none(), "a new window asks Redis");
    }

    #[test]
    fn a_used_up_lease_within_the_limit_asks_redis_again() {
        let now = Instant::now();
        let mut lease = Lease::granted(10, 10, 1000, now + Duration::from_secs(60));
        assert_eq!((0..10).filter_map(|_| lease.take(1000, now)).count(), 10);
        assert!(lease.take(1000, now).is_none());
    }

    #[test]
    fn leases_are_a_hundredth_of_the_limit_within_bounds() {
        assert_eq!([5, 600, 3000, 1_000_000].map(lease_size), [1, 6, 30, MAX_LEASE]);
    }
}
