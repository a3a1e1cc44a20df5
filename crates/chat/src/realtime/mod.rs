//! Real time: events to every socket of a conversation's people, on any
//! instance ([`bus`] through Redis, [`hub`] on this instance), the socket
//! itself ([`socket`]) and its frames ([`events`]).
//!
//! [`Realtime`] is what a request, a socket or a job uses to send what a
//! change produced, once it is committed.

pub mod bus;
pub mod events;
pub mod hub;
pub mod socket;

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use kernel::{Clock, Principal, UserId, Valid};
use platform::AppState;

use crate::api::NewMessage;
use crate::models::Message;
use crate::realtime::bus::Bus;
use crate::realtime::events::ClientFrame;
use crate::realtime::hub::Hub;
use crate::service::messages::Sent;
use crate::service::{self, Fanout};
use crate::{Chat, Settings};

/// Sending events and notifications after a change.
#[derive(Clone)]
pub struct Realtime {
    settings: Settings,
    bus: Bus,
    db: db::Pool,
    clock: Clock,
    /// In the gateway: this instance's sockets and the request state.
    sockets: Option<(Hub, AppState)>,
}

impl std::fmt::Debug for Realtime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Realtime").finish_non_exhaustive()
    }
}

impl Realtime {
    /// In a request or a socket.
    pub fn new(state: &AppState, chat: &Chat) -> Self {
        let timeout = Duration::from_millis(state.settings().redis.command_timeout_ms);
        Self {
            settings: chat.settings.clone(),
            bus: Bus::new(state.redis().clone(), timeout, &chat.settings),
            db: state.db().clone(),
            clock: state.clock().clone(),
            sockets: Some((chat.hub.clone(), state.clone())),
        }
    }

    /// In a job.
    pub fn for_jobs(resources: &jobs::Resources, settings: &Settings) -> Self {
        Self {
            settings: settings.clone(),
            bus: Bus::new(resources.redis.clone(), resources.redis_timeout, settings),
            db: resources.db.clone(),
            clock: resources.clock.clone(),
            sockets: None,
        }
    }

    /// `[chat]`.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Redis.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// Now, by the platform's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// This instance's sockets.
    pub fn hub(&self) -> Option<&Hub> {
        self.sockets.as_ref().map(|(hub, _)| hub)
    }

    /// Sends every event of `fanout`.
    pub async fn fan_out(&self, fanout: Fanout) {
        for (audience, event) in fanout.events {
            self.bus.publish(&audience, &event).await;
        }
    }

    /// After a send: the events, then a notification to participants with no
    /// socket open.
    pub async fn sent(&self, connection: &mut AsyncPgConnection, sent: &mut Sent) {
        if !sent.created {
            return;
        }
        self.fan_out(std::mem::take(&mut sent.fanout)).await;
        self.notify_offline(connection, &sent.message, &sent.others).await;
    }

    /// Notifies those of `users` with no socket open (if Redis cannot tell,
    /// nobody: a notification is a courtesy, the message is stored).
    pub async fn notify_offline(&self, connection: &mut AsyncPgConnection, message: &Message, users: &[UserId]) {
        let others: Vec<UserId> = users.iter().copied().filter(|user| Some(*user) != message.sender_id).collect();
        let Ok(online) = self.bus.online(&others, self.now().timestamp_millis()).await else { return };
        let offline: Vec<UserId> = others.into_iter().filter(|user| !online.contains(user)).collect();
        let every = self.settings.notify_every_minutes;
        if let Err(error) = service::missed::notify(connection, message, &offline, every, self.now()).await {
            tracing::warn!(%error, "notifying offline chat participants failed");
        }
    }

    /// The principal of a socket's user, as requests resolve it (cached).
    pub async fn principal(&self, subject: &str) -> kernel::Result<Principal> {
        let Some((_, state)) = &self.sockets else { return Err(kernel::Error::Unavailable { dependency: "gateway" }) };
        state.principals().resolve(&self.db, subject).await.map_err(|error| match error {
            platform::auth::principal::ResolveError::Deactivated => {
                kernel::Error::Forbidden("account deactivated".to_owned())
            }
            platform::auth::principal::ResolveError::Lookup(_) => kernel::Error::Unavailable { dependency: "database" },
        })
    }

    /// Acts on a socket's frame, as the matching HTTP endpoint would.
    pub async fn handle(&self, principal: &Principal, frame: ClientFrame) -> kernel::Result<()> {
        let mut connection = db::connect(&self.db).await?;
        let now = self.now();
        match frame {
            ClientFrame::Message { conversation_id, body, client_message_id, attachment_id, location, .. } => {
                let request = Valid::new(NewMessage { body, client_message_id, attachment_id, location })?;
                let mut sent =
                    service::messages::send(&mut connection, principal, conversation_id, &request, &self.settings, now)
                        .await?;
                self.sent(&mut connection, &mut sent).await;
            }
            ClientFrame::Typing { conversation_id, .. } => {
                self.fan_out(service::reads::typing(&mut connection, principal, conversation_id).await?).await;
            }
            ClientFrame::Read { conversation_id, message_id, .. } => {
                self.fan_out(service::reads::read(&mut connection, principal, conversation_id, message_id, now).await?)
                    .await;
            }
            ClientFrame::Ping { .. } => {}
        }
        Ok(())
    }

    /// Marks socket `seat` of `user` open for the next idle timeout.
    pub async fn mark_present(&self, user: UserId, seat: u64) {
        let until =
            self.now().timestamp_millis() + i64::try_from(self.settings.idle_timeout_secs * 1000).unwrap_or(60_000);
        let _ = self.bus.present(user, &self.seat_name(seat), until).await;
    }

    /// Marks socket `seat` of `user` closed.
    pub async fn mark_absent(&self, user: UserId, seat: u64) {
        let _ = self.bus.absent(user, &self.seat_name(seat)).await;
    }

    /// A seat's name across instances: this process and its number.
    fn seat_name(&self, seat: u64) -> String {
        format!("{}:{seat}", instance())
    }
}

/// In a handler of another crate (`realtime: Realtime`): the request's state
/// and the chat mounted on the App; a 500 when the chat is not mounted.
impl actix_web::FromRequest for Realtime {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = request.app_data::<actix_web::web::Data<AppState>>();
        let chat = request.app_data::<actix_web::web::Data<Chat>>();
        std::future::ready(match (state, chat) {
            (Some(state), Some(chat)) => Ok(Self::new(state, chat)),
            _ => Err(actix_web::error::ErrorInternalServerError("the chat is not mounted")),
        })
    }
}

/// This process, among every instance sharing Redis.
fn instance() -> &'static str {
    static INSTANCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| uuid::Uuid::new_v4().to_string());
    &INSTANCE
}
