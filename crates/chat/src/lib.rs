//! Chat: owners and clinics talking in real time, and the assistant that
//! answers owners when no one at the clinic can.
//!
//! - [`service::conversations`]: conversations between an owner and a clinic
//!   (optionally about a pet and an appointment) or the assistant; who sees
//!   them is decided once, in [`access`] (everyone else: 404);
//! - [`service::messages`]: messages stored once per `client_message_id`,
//!   edited within a window, deleted to a tombstone (both audited), history
//!   both ways; [`service::reads`]: read receipts and typing;
//!   [`service::missed`]: a notification for whoever has no socket open;
//! - [`realtime`]: the WebSocket (a single-use ticket, heartbeats, a bounded
//!   queue per socket, replay after a reconnect) fed through Redis pub/sub,
//!   so an event reaches its people's sockets on every instance;
//! - [`assistant`]: pre-triage against a red-flag table, then a model
//!   (OpenAI-compatible, streamed) or the rule-based responder; summaries
//!   for staff ([`service::summary`]);
//! - [`jobs`]: the assistant's answers and the monthly message partitions;
//! - [`personal_data::PersonalData`]: a person's conversations, exported and
//!   erased.
//!
//! [`routes`] mounts the HTTP API over a [`Chat`] (settings, this instance's
//! sockets, the assistant), built once per process.

pub mod access;
pub mod api;
pub mod assistant;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod realtime;
pub mod service;
mod settings;

use actix_web::web;
use platform::Routes;
pub use settings::{AssistantSettings, Settings};

/// The chat of one process: its settings, its sockets and the assistant.
#[derive(Debug, Clone)]
pub struct Chat {
    /// `[chat]`.
    pub settings: Settings,
    /// The sockets open on this instance.
    pub hub: realtime::hub::Hub,
    /// The model (when configured) and the rules.
    pub assistant: assistant::Assistant,
}

impl Chat {
    /// Built once per process (every HTTP worker shares its sockets).
    pub fn new(settings: Settings) -> Self {
        Self {
            hub: realtime::hub::Hub::new(settings.outgoing_queue),
            assistant: assistant::Assistant::new(&settings.assistant),
            settings,
        }
    }
}

/// Adds this crate's jobs (the assistant's answers, the partitions) to a worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    chat: &Chat,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::AnswerOwner>()
        .define_job::<jobs::PrepareMessagePartitions>()
        .with_cron(jobs::PrepareMessagePartitions::CRONTAB)?
        .add_extension(chat.settings.clone())
        .add_extension(chat.assistant.clone()))
}

/// Mounts the chat endpoints.
pub fn routes(routes: &mut Routes, chat: &Chat, uploads: &media::Uploads) {
    use handlers::{conversations, messages, realtime};
    routes
        .app_data(web::Data::new(chat.clone()))
        .app_data(web::Data::new(uploads.clone()))
        .service(conversations::open_conversation)
        .service(conversations::list_conversations)
        .service(conversations::get_conversation)
        .service(conversations::set_archived)
        .service(conversations::summarise_conversation)
        .service(messages::list_messages)
        .service(messages::send_message)
        .service(messages::edit_message)
        .service(messages::delete_message)
        .service(messages::get_attachment)
        .service(messages::mark_read)
        .service(realtime::issue_ticket)
        .service(realtime::open_socket);
}
