//! The sockets open on this instance, and the one Redis subscription that
//! feeds them.
//!
//! A socket joins for its user: the first socket of a user subscribes this
//! instance to `chat:live:{user}`, the last one to leave unsubscribes. Every
//! frame published there is offered to each of the user's sockets here; a
//! socket whose queue is full is closed as too slow rather than buffered. If
//! the subscription itself is lost (Redis restarted), every socket is closed
//! with "try again", and clients reconnect with their last event id to replay
//! what they missed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use deadpool_redis::redis;
use futures_util::StreamExt;
use kernel::UserId;
use tokio::sync::{mpsc, watch};

use crate::realtime::bus::LIVE_PREFIX;

/// Why the server closes a socket (the WebSocket close code and reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// 4008: events piled up unread (`chat.outgoing_queue`).
    TooSlow,
    /// 4000: nothing heard for `chat.idle_timeout_secs`.
    Idle,
    /// 1012: this instance lost its event feed; reconnect and replay.
    TryAgain,
    /// 1003: binary frames are not part of the protocol.
    Binary,
    /// 1009: a frame larger than `chat.max_frame_bytes`.
    TooBig,
    /// 1000: the client closed, or the server is stopping.
    Normal,
}

impl Close {
    /// The close frame's code and reason.
    pub fn reason(self) -> actix_ws::CloseReason {
        let (code, description) = match self {
            Self::TooSlow => (4008, "too slow: events were not read"),
            Self::Idle => (4000, "idle: no frame or pong received"),
            Self::TryAgain => (1012, "reconnect with your last event id"),
            Self::Binary => (1003, "binary frames are not supported"),
            Self::TooBig => (1009, "frame too large"),
            Self::Normal => (1000, "bye"),
        };
        actix_ws::CloseReason { code: actix_ws::CloseCode::from(code), description: Some(description.to_owned()) }
    }
}

/// What a socket's writer is handed.
#[derive(Debug)]
pub enum Outgoing {
    /// A frame to send as text.
    Text(String),
    /// A ping.
    Ping,
}

/// One socket's place in the hub.
#[derive(Debug)]
pub struct Seat {
    /// Its number on this instance.
    pub id: u64,
    /// Frames for it, in order.
    pub outgoing: mpsc::Receiver<Outgoing>,
    /// Anything that wants it closed (the hub, its own reader) sends here.
    pub closer: Arc<watch::Sender<Option<Close>>>,
    /// Where its own reader queues replies and pings.
    pub queue: mpsc::Sender<Outgoing>,
}

struct Local {
    id: u64,
    queue: mpsc::Sender<Outgoing>,
    closer: Arc<watch::Sender<Option<Close>>>,
}

struct Inner {
    queue_size: usize,
    next_id: AtomicU64,
    sockets: Mutex<HashMap<UserId, Vec<Local>>>,
    /// Serialises (un)subscribing; `None` until the first socket, or after the feed was lost.
    sink: tokio::sync::Mutex<Option<redis::aio::PubSubSink>>,
}

/// This instance's sockets.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Hub").finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub with `queue_size` frames per socket.
    pub fn new(queue_size: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                queue_size,
                next_id: AtomicU64::new(1),
                sockets: Mutex::new(HashMap::new()),
                sink: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// Sockets open here now (the `chat_sockets` gauge).
    pub fn open_sockets(&self) -> usize {
        self.inner.sockets.lock().map(|sockets| sockets.values().map(Vec::len).sum()).unwrap_or(0)
    }

    /// Seats a socket of `user`; its user's events reach it from now on. The
    /// first socket opens the subscription, through `redis_url`.
    pub async fn join(&self, user: UserId, redis_url: &str) -> kernel::Result<Seat> {
        let (queue, outgoing) = mpsc::channel(self.inner.queue_size);
        let closer = Arc::new(watch::channel(None).0);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut sink = self.inner.sink.lock().await;
        if sink.is_none() {
            *sink = Some(self.start_feed(redis_url).await?);
        }
        let first = {
            let mut sockets = self.lock();
            let seats = sockets.entry(user).or_default();
            seats.push(Local { id, queue: queue.clone(), closer: Arc::clone(&closer) });
            seats.len() == 1
        };
        if first && let Some(sink) = sink.as_mut() {
            sink.subscribe(channel(user)).await.map_err(|error| {
                tracing::warn!(%error, "subscribing to a user's chat events failed");
                platform::metrics::redis_error("chat.subscribe");
                kernel::Error::Unavailable { dependency: "cache" }
            })?;
        }
        metrics::gauge!("chat_sockets").increment(1.0);
        Ok(Seat { id, outgoing, closer, queue })
    }

    /// Takes socket `id` of `user` out; the user's last socket here unsubscribes.
    pub async fn leave(&self, user: UserId, id: u64) {
        let mut sink = self.inner.sink.lock().await;
        let last = {
            let mut sockets = self.lock();
            let Some(seats) = sockets.get_mut(&user) else { return };
            let before = seats.len();
            seats.retain(|seat| seat.id != id);
            if seats.len() == before {
                return;
            }
            let last = seats.is_empty();
            if last {
                sockets.remove(&user);
            }
            last
        };
        metrics::gauge!("chat_sockets").decrement(1.0);
        if last
            && let Some(sink) = sink.as_mut()
            && let Err(error) = sink.unsubscribe(channel(user)).await
        {
            tracing::warn!(%error, "unsubscribing from a user's chat events failed");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Vec<Local>>> {
        self.inner.sockets.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens the subscription and spawns the task that hands its frames out.
    async fn start_feed(&self, redis_url: &str) -> kernel::Result<redis::aio::PubSubSink> {
        let unavailable = |error: redis::RedisError| {
            tracing::warn!(%error, "the chat event feed could not connect to Redis");
            platform::metrics::redis_error("chat.subscribe");
            kernel::Error::Unavailable { dependency: "cache" }
        };
        let client = redis::Client::open(redis_url).map_err(unavailable)?;
        let (sink, mut stream) = client.get_async_pubsub().await.map_err(unavailable)?.split();
        let hub = self.clone();
        tokio::spawn(async move {
            while let Some(message) = stream.next().await {
                let Some(user) = message.get_channel_name().strip_prefix(LIVE_PREFIX).and_then(|id| id.parse().ok())
                else {
                    continue;
                };
                match message.get_payload::<String>() {
                    Ok(frame) => hub.deliver(user, &frame),
                    Err(error) => tracing::warn!(%error, "a chat event was not text"),
                }
            }
            hub.feed_lost().await;
        });
        Ok(sink)
    }

    /// Offers `frame` to every socket of `user` here; a full queue closes its socket.
    fn deliver(&self, user: UserId, frame: &str) {
        let sockets = self.lock();
        for seat in sockets.get(&user).into_iter().flatten() {
            if seat.queue.try_send(Outgoing::Text(frame.to_owned())).is_err() {
                seat.closer.send_replace(Some(Close::TooSlow));
            }
        }
    }

    /// The subscription ended: close every socket (they reconnect and replay)
    /// and let the next socket open a new one.
    async fn feed_lost(&self) {
        tracing::warn!("the chat event feed from Redis ended; closing this instance's sockets");
        *self.inner.sink.lock().await = None;
        for seat in self.lock().values().flatten() {
            seat.closer.send_replace(Some(Close::TryAgain));
        }
    }
}

fn channel(user: UserId) -> String {
    format!("{LIVE_PREFIX}{user}")
}
