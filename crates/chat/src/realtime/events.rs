//! The frames a socket receives (server to client) and sends (client to
//! server). Every server frame is a JSON object with a `type`; durable ones
//! also carry an `id` to resume from (`?last_event_id=` on reconnect).
//!
//! | type | id | data |
//! |---|---|---|
//! | `message.created`, `message.edited`, `message.deleted` | yes | `conversation_id`, `message` |
//! | `read` | yes | `conversation_id`, `user_id`, `message_id` |
//! | `conversation.updated` | yes | `conversation_id`, `archived` |
//! | `typing` | no | `conversation_id`, `user_id` |
//! | `emergency.updated` | yes | `case_id`, `status` (an emergency case the user follows changed; read it over HTTP) |
//! | `assistant.delta` | no | `conversation_id`, `reply_to`, `text` (the next part of a streamed answer) |
//! | `resync` | no | too much was missed: reload over HTTP |
//! | `error` | no | `code`, `message`, the client's `ref` when it sent one |
//!
//! A client sends `message` (`conversation_id`, `body`, `client_message_id`,
//! `attachment_id`), `typing` (`conversation_id`), `read` (`conversation_id`,
//! `message_id`) or `ping`, each with an optional `ref` echoed in an error.

use kernel::{ConversationId, EmergencyCaseId, MediaId, MessageId, UserId};
use serde::{Deserialize, Serialize};

use crate::api::{Location, MessageView};

/// A server frame.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum Event {
    /// A message was sent.
    #[serde(rename = "message.created")]
    MessageCreated {
        /// Where.
        conversation_id: ConversationId,
        /// The message.
        message: Box<MessageView>,
    },
    /// A message was edited.
    #[serde(rename = "message.edited")]
    MessageEdited {
        /// Where.
        conversation_id: ConversationId,
        /// The message as it is now.
        message: Box<MessageView>,
    },
    /// A message was deleted (the tombstone).
    #[serde(rename = "message.deleted")]
    MessageDeleted {
        /// Where.
        conversation_id: ConversationId,
        /// The tombstone.
        message: Box<MessageView>,
    },
    /// A participant read up to a message.
    #[serde(rename = "read")]
    Read {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        user_id: UserId,
        /// Up to which message.
        message_id: MessageId,
    },
    /// A conversation was opened, archived or reopened.
    #[serde(rename = "conversation.updated")]
    ConversationUpdated {
        /// Which.
        conversation_id: ConversationId,
        /// Whether it is archived now.
        archived: bool,
    },
    /// Someone is typing.
    #[serde(rename = "typing")]
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        user_id: UserId,
    },
    /// An emergency case the user follows changed (sent by the emergency crate).
    #[serde(rename = "emergency.updated")]
    EmergencyUpdated {
        /// The case.
        case_id: EmergencyCaseId,
        /// Its status now.
        status: &'static str,
    },
    /// The next part of the assistant's answer, as the model writes it.
    #[serde(rename = "assistant.delta")]
    AssistantDelta {
        /// Where.
        conversation_id: ConversationId,
        /// The owner's message being answered.
        reply_to: MessageId,
        /// The text to append.
        text: String,
    },
}

impl Event {
    /// Whether it is kept for replay (typing and answer parts are not).
    pub fn is_replayed(&self) -> bool {
        !matches!(self, Self::Typing { .. } | Self::AssistantDelta { .. })
    }

    /// Its `type`, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MessageCreated { .. } => "message.created",
            Self::MessageEdited { .. } => "message.edited",
            Self::MessageDeleted { .. } => "message.deleted",
            Self::Read { .. } => "read",
            Self::ConversationUpdated { .. } => "conversation.updated",
            Self::EmergencyUpdated { .. } => "emergency.updated",
            Self::Typing { .. } => "typing",
            Self::AssistantDelta { .. } => "assistant.delta",
        }
    }
}

/// A client frame.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Send a message (the fields `POST …/messages` takes).
    Message {
        /// Where.
        conversation_id: ConversationId,
        /// The text.
        #[serde(default)]
        body: String,
        /// Chosen by the client: sent again, stored once.
        #[serde(default)]
        client_message_id: Option<uuid::Uuid>,
        /// An upload of purpose `chat_attachment`.
        #[serde(default)]
        attachment_id: Option<MediaId>,
        /// Where the pet is (assistant conversations).
        #[serde(default)]
        location: Option<Location>,
        /// Echoed in an error.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// The user is typing.
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Echoed in an error.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// The user read up to a message.
    Read {
        /// Where.
        conversation_id: ConversationId,
        /// Up to which message.
        message_id: MessageId,
        /// Echoed in an error.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Keeps the connection alive; answered with `pong`.
    Ping {
        /// Echoed.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
}

/// A frame about one client frame: an error, or the answer to a ping.
pub fn reply_frame(kind: &str, code: &str, message: &str, reference: Option<&str>) -> String {
    serde_json::json!({ "type": kind, "code": code, "message": message, "ref": reference }).to_string()
}
