//! What the sockets share through Redis: tickets, the per-user event streams
//! that feed live delivery (pub/sub) and replay, and presence.
//!
//! An event for a set of users is one script call: for each user it appends
//! the event to their stream `chat:events:{user}` (capped at
//! `chat.replay_events`, expiring after `chat.replay_hours` of silence), which
//! gives it an id, and publishes the frame with that id on `chat:live:{user}`,
//! which every instance holding a socket of that user subscribes to. Ephemeral
//! events (typing, streamed answer text) are published without an id and are
//! not replayed. Ids are Redis stream ids (`<ms>-<seq>`), increasing per user.

use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine;
use deadpool_redis::redis::{self, Script};
use kernel::UserId;

use crate::realtime::events::Event;

const TICKET_PREFIX: &str = "chat:ticket:";
const STREAM_PREFIX: &str = "chat:events:";
const PRESENCE_PREFIX: &str = "chat:presence:";
/// The pub/sub channel of one user's live events.
pub const LIVE_PREFIX: &str = "chat:live:";

/// KEYS: the recipients' streams. ARGV: the event JSON (an object), whether to
/// keep it for replay ('1'), the stream cap, its expiry in seconds.
const PUBLISH: &str = r#"
local prefix = string.len('chat:events:') + 1
for _, key in ipairs(KEYS) do
  local frame = ARGV[1]
  if ARGV[2] == '1' then
    local id = redis.call('XADD', key, 'MAXLEN', ARGV[3], '*', 'e', ARGV[1])
    redis.call('EXPIRE', key, ARGV[4])
    frame = '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2)
  end
  redis.call('PUBLISH', 'chat:live:' .. string.sub(key, prefix), frame)
end
return #KEYS
"#;

/// KEYS[1]: a user's stream. ARGV: the last id the client saw, the most events
/// to send. Answers {'resync'} when that event is no longer kept (what came
/// after it may have been trimmed, or the stream expired) or more than the
/// most wait, else {'events', id, json, id, json...}.
const REPLAY: &str = r#"
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return {'resync'} end
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]) + 1)
if #entries > tonumber(ARGV[2]) then return {'resync'} end
local out = {'events'}
for _, entry in ipairs(entries) do
  table.insert(out, entry[1])
  table.insert(out, entry[2][2])
end
return out
"#;

/// KEYS: presence sets. ARGV[1]: now in ms. Answers 1/0 per key: someone there.
const ONLINE: &str = r#"
local out = {}
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  table.insert(out, redis.call('ZCARD', key))
end
return out
"#;

/// What a reconnecting client is sent first.
#[derive(Debug, PartialEq, Eq)]
pub enum Replay {
    /// The frames it missed, oldest first.
    Frames(Vec<String>),
    /// Too much was missed: reload conversations and history over HTTP.
    Resync,
}

/// Redis, for chat.
#[derive(Clone)]
pub struct Bus {
    redis: deadpool_redis::Pool,
    timeout: Duration,
    replay_events: usize,
    replay_secs: u64,
}

static PUBLISH_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(PUBLISH));
static REPLAY_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(REPLAY));
static ONLINE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(ONLINE));

impl std::fmt::Debug for Bus {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Bus").finish_non_exhaustive()
    }
}

impl Bus {
    /// Over `redis`, each round trip bounded by `timeout`.
    pub fn new(redis: deadpool_redis::Pool, timeout: Duration, settings: &crate::Settings) -> Self {
        Self {
            redis,
            timeout,
            replay_events: settings.replay_events,
            replay_secs: settings.replay_hours.saturating_mul(3600).max(1),
        }
    }

    /// Runs one Redis exchange with a span, a deadline and the error counted.
    async fn run<T>(
        &self,
        operation: &'static str,
        exchange: impl AsyncFnOnce(&mut deadpool_redis::Connection) -> redis::RedisResult<T>,
    ) -> kernel::Result<T> {
        let unavailable = || {
            platform::metrics::redis_error(operation);
            kernel::Error::Unavailable { dependency: "cache" }
        };
        let span = tracing::info_span!("redis", otel.name = operation, otel.kind = "client", db.system.name = "redis");
        let work = async {
            let mut connection = self.redis.get().await.map_err(|error| {
                tracing::warn!(%error, operation, "no Redis connection");
            })?;
            exchange(&mut connection).await.map_err(|error| {
                tracing::warn!(%error, operation, "Redis command failed");
            })
        };
        match tokio::time::timeout(self.timeout, tracing::Instrument::instrument(work, span)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(())) | Err(_) => Err(unavailable()),
        }
    }

    /// A new single-use ticket for `user`, valid `ttl`.
    pub async fn issue_ticket(&self, user: UserId, ttl: Duration) -> kernel::Result<String> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| kernel::Error::internal("no randomness for a chat ticket"))?;
        let ticket = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let key = format!("{TICKET_PREFIX}{ticket}");
        let secs = ttl.as_secs().max(1);
        self.run("chat.ticket.issue", async |connection| {
            redis::cmd("SET")
                .arg(&key)
                .arg(user.to_string())
                .arg("EX")
                .arg(secs)
                .arg("NX")
                .query_async(connection)
                .await
        })
        .await
        .map(|()| ticket)
    }

    /// The user a ticket was issued to, once: the ticket is gone afterwards.
    pub async fn redeem_ticket(&self, ticket: &str) -> kernel::Result<Option<UserId>> {
        let well_formed = ticket.len() == 43
            && ticket.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        if !well_formed {
            return Ok(None);
        }
        let key = format!("{TICKET_PREFIX}{ticket}");
        let user: Option<String> = self
            .run("chat.ticket.redeem", async |connection| redis::cmd("GETDEL").arg(&key).query_async(connection).await)
            .await?;
        Ok(user.and_then(|user| user.parse().ok()))
    }

    /// Sends `event` to every socket of `recipients`, on any instance; a
    /// durable event is also kept for replay. Failures are logged and counted,
    /// not returned: what was stored stays stored, and clients catch up over HTTP.
    pub async fn publish(&self, recipients: &[UserId], event: &Event) {
        if recipients.is_empty() {
            return;
        }
        let json = match serde_json::to_string(event) {
            Ok(json) => json,
            Err(error) => return tracing::error!(%error, "a chat event did not serialize"),
        };
        let keys: Vec<String> = recipients.iter().map(|user| format!("{STREAM_PREFIX}{user}")).collect();
        let keep = if event.is_replayed() { "1" } else { "0" };
        let published = self
            .run("chat.publish", async |connection| {
                PUBLISH_SCRIPT
                    .key(&keys)
                    .arg(&json)
                    .arg(keep)
                    .arg(self.replay_events)
                    .arg(self.replay_secs)
                    .invoke_async::<i64>(connection)
                    .await
            })
            .await;
        if published.is_err() {
            tracing::warn!(event = event.name(), "a chat event was not delivered live (Redis unavailable)");
        }
    }

    /// The events `user` missed since `last_id`.
    pub async fn replay(&self, user: UserId, last_id: &str) -> kernel::Result<Replay> {
        if !is_event_id(last_id) {
            return Ok(Replay::Resync);
        }
        let key = format!("{STREAM_PREFIX}{user}");
        let answer: Vec<String> = self
            .run("chat.replay", async |connection| {
                REPLAY_SCRIPT.key(&key).arg(last_id).arg(self.replay_events).invoke_async(connection).await
            })
            .await?;
        let mut answer = answer.into_iter();
        if answer.next().as_deref() != Some("events") {
            return Ok(Replay::Resync);
        }
        let rest: Vec<String> = answer.collect();
        Ok(Replay::Frames(
            rest.chunks(2)
                .filter_map(|pair| match pair {
                    [id, json] => Some(with_id(id, json)),
                    _ => None,
                })
                .collect(),
        ))
    }

    /// Marks `connection` of `user` open until `until_ms` (epoch milliseconds).
    pub async fn present(&self, user: UserId, connection_id: &str, until_ms: i64) -> kernel::Result<()> {
        let key = format!("{PRESENCE_PREFIX}{user}");
        self.run("chat.presence", async |connection| {
            redis::pipe()
                .cmd("ZADD")
                .arg(&key)
                .arg(until_ms)
                .arg(connection_id)
                .ignore()
                .cmd("PEXPIREAT")
                .arg(&key)
                .arg(until_ms)
                .ignore()
                .query_async(connection)
                .await
        })
        .await
    }

    /// Marks `connection` of `user` closed.
    pub async fn absent(&self, user: UserId, connection_id: &str) -> kernel::Result<()> {
        let key = format!("{PRESENCE_PREFIX}{user}");
        self.run("chat.presence", async |connection| {
            redis::cmd("ZREM").arg(&key).arg(connection_id).query_async(connection).await
        })
        .await
    }

    /// Which of `users` have a socket open on some instance now.
    pub async fn online(&self, users: &[UserId], now_ms: i64) -> kernel::Result<HashSet<UserId>> {
        if users.is_empty() {
            return Ok(HashSet::new());
        }
        let keys: Vec<String> = users.iter().map(|user| format!("{PRESENCE_PREFIX}{user}")).collect();
        let counts: Vec<i64> = self
            .run("chat.presence", async |connection| {
                ONLINE_SCRIPT.key(&keys).arg(now_ms).invoke_async(connection).await
            })
            .await?;
        Ok(users.iter().zip(counts).filter(|(_, count)| *count > 0).map(|(user, _)| *user).collect())
    }
}

/// Whether `id` is a stream id, `<ms>-<seq>`.
pub fn is_event_id(id: &str) -> bool {
    parse_event_id(id).is_some()
}

/// A stream id as a comparable pair.
pub fn parse_event_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// A stored event (`{"type":…}`) as the frame a socket receives, `{"id":…,"type":…}`.
fn with_id(id: &str, json: &str) -> String {
    format!(r#"{{"id":"{id}",{}"#, json.get(1..).unwrap_or_default())
}
