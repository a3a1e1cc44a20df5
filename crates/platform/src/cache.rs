//! The Redis pool (rate limits, caching, pub/sub fan-out in later areas).
//!
//! Every operation is bounded: a Redis that is down, or stopped mid-command
//! (SIGSTOP), costs a caller at most `connect_timeout_ms` to get a connection and
//! `command_timeout_ms` per command, never a hang.

use std::time::Duration;

use deadpool_redis::{Pool, Runtime};
use secrecy::ExposeSecret;

use crate::config::RedisSettings;

/// Builds the pool; connections open lazily, so this does not touch the network.
pub fn build_pool(settings: &RedisSettings) -> Result<Pool, String> {
    let connect_timeout = Duration::from_millis(settings.connect_timeout_ms);
    deadpool_redis::Config::from_url(settings.url.expose_secret())
        .builder()
        .map_err(|error| error.to_string())?
        .max_size(settings.max_connections)
        .wait_timeout(Some(connect_timeout))
        .create_timeout(Some(connect_timeout))
        .recycle_timeout(Some(connect_timeout))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|error| error.to_string())
}

/// `PING`, bounded by `timeout` in total.
pub async fn ping(pool: &Pool, timeout: Duration) -> Result<(), String> {
    let ping = async {
        let mut connection = pool.get().await.map_err(|error| error.to_string())?;
        redis::cmd("PING").query_async::<String>(&mut connection).await.map_err(|error| error.to_string())?;
        Ok(())
    };
    let span = tracing::info_span!("redis", otel.name = "redis PING", otel.kind = "client", db.system.name = "redis");
    let outcome = tokio::time::timeout(timeout, tracing::Instrument::instrument(ping, span))
        .await
        .map_err(|_| "timed out".to_owned())
        .and_then(|ping| ping);
    if outcome.is_err() {
        crate::metrics::redis_error("ping");
    }
    outcome
}
