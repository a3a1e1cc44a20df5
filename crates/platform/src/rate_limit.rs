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
//! Over the limit: 429 with `Retry-After` and `RateLimit-Limit/Remaining/Reset`;
//! every counted response carries the `RateLimit-*` headers. When Redis cannot
//! answer within its command timeout the request is served and a warning logged
//! (`fail_open = true`, the default) or refused with 503 (`fail_open = false`).

use std::time::Duration;

use actix_web::http::Method;
use kernel::Role;

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
}

/// Increments the window counter, starting the window on its first request;
/// returns the count and the window's remaining milliseconds.
const COUNT_SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
";

impl RateLimiter {
    /// A limiter for `settings`, each Redis round trip bounded by `command_timeout`.
    pub fn new(settings: RateLimitSettings, command_timeout: Duration) -> Self {
        Self { settings, command_timeout, script: redis::Script::new(COUNT_SCRIPT) }
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
        let counted = async {
            let mut connection = redis.get().await.map_err(|error| LimiterUnavailable(error.to_string()))?;
            self.script
                .key(&key)
                .arg(window_ms)
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
        Ok(Some(Quota {
            limit,
            remaining: limit.saturating_sub(count),
            reset_secs: ttl_ms.div_ceil(1000).max(1),
            allowed: count <= limit,
        }))
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
