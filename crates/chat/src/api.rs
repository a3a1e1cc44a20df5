//! Request and response bodies of the chat API and the WebSocket's frames.

use chrono::{DateTime, Utc};
use kernel::{AppointmentId, ClinicId, ConversationId, MediaId, MessageId, PetId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::assistant::triage::RedFlag;

/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: u64 = 4000;

/// The OpenAPI `pattern` of message text: no control characters but line
/// breaks and tabs.
pub const MESSAGE_PATTERN: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// The standing caveat every assistant message carries.
pub const CAVEAT: &str = "This is general information, not a diagnosis. A diagnosis needs a veterinarian who \
                          has examined your pet; if you are worried, contact your clinic or an emergency vet.";

kernel::text_enum!(
    /// Who a conversation is with.
    ConversationKind as ConversationKind {
        /// An owner and a clinic's staff.
        Clinic = "clinic",
        /// An owner and the AI assistant, about one of their pets.
        Assistant = "assistant",
    }
);

kernel::text_enum!(
    /// A participant's part in a conversation.
    ParticipantRole as ParticipantRole {
        /// The owner the conversation is with.
        Owner = "owner",
        /// A co-owner of the conversation's pet.
        CoOwner = "co_owner",
        /// Staff of the conversation's clinic.
        Staff = "staff",
        /// The AI assistant.
        Assistant = "assistant",
    }
);

kernel::text_enum!(
    /// What wrote an assistant message.
    GeneratedBy as GeneratedBy {
        /// The configured language model.
        Model = "model",
        /// The built-in rule-based responder (no model configured, or it failed).
        Rules = "rules",
    }
);

/// Message text: no control characters but line breaks and tabs.
fn message_text(text: &str) -> Result<(), ValidationError> {
    if text.chars().any(|character| character.is_control() && !matches!(character, '\n' | '\r' | '\t')) {
        Err(ValidationError::new("message_text").with_message("must not contain control characters".into()))
    } else {
        Ok(())
    }
}

/// `POST /chat/conversations`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "NewConversation::consistent"))]
pub struct NewConversation {
    /// `clinic` (default) or `assistant`.
    #[serde(default = "NewConversation::default_kind")]
    pub kind: ConversationKind,
    /// The clinic (`clinic` conversations only).
    #[serde(default)]
    pub clinic_id: Option<ClinicId>,
    /// Clinic staff opening a conversation: the patient's owner it is with.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// The pet it is about (required for `assistant`).
    #[serde(default)]
    pub pet_id: Option<PetId>,
    /// The appointment it is about.
    #[serde(default)]
    pub appointment_id: Option<AppointmentId>,
    /// A subject line.
    #[serde(default)]
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    pub subject: Option<String>,
}

impl NewConversation {
    fn default_kind() -> ConversationKind {
        ConversationKind::Clinic
    }

    fn consistent(&self) -> Result<(), ValidationError> {
        let problem = match self.kind {
            ConversationKind::Clinic if self.clinic_id.is_none() => Some("a clinic conversation needs clinic_id"),
            ConversationKind::Assistant if self.pet_id.is_none() => Some("an assistant conversation needs pet_id"),
            ConversationKind::Assistant if self.clinic_id.is_some() || self.owner_id.is_some() => {
                Some("an assistant conversation has no clinic_id or owner_id")
            }
            ConversationKind::Assistant if self.appointment_id.is_some() => {
                Some("an assistant conversation has no appointment_id")
            }
            _ => None,
        };
        match problem {
            Some(message) => Err(ValidationError::new("conversation").with_message(message.into())),
            None => Ok(()),
        }
    }
}

/// A place, in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude.
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: f64,
    /// Longitude.
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: f64,
}

/// `POST /chat/conversations/{id}/messages` (and the socket's `message` frame).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "NewMessage::has_content"))]
pub struct NewMessage {
    /// The text (may be empty with an attachment).
    #[serde(default)]
    #[validate(length(max = MAX_MESSAGE_CHARS), custom(function = "message_text"))]
    #[schema(max_length = 4000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub body: String,
    /// Chosen by the client: the same id sent again stores the message once.
    #[serde(default)]
    pub client_message_id: Option<uuid::Uuid>,
    /// An upload of purpose `chat_attachment` by the sender.
    #[serde(default)]
    pub attachment_id: Option<MediaId>,
    /// Where the pet is (assistant conversations: finds emergency clinics on a red flag).
    #[serde(default)]
    #[validate(nested)]
    pub location: Option<Location>,
}

impl NewMessage {
    fn has_content(&self) -> Result<(), ValidationError> {
        if self.body.trim().is_empty() && self.attachment_id.is_none() {
            Err(ValidationError::new("message").with_message("a message needs a body or an attachment".into()))
        } else {
            Ok(())
        }
    }
}

/// `PATCH /chat/conversations/{id}/messages/{message_id}`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EditMessage {
    /// The new text.
    #[validate(length(min = 1, max = MAX_MESSAGE_CHARS), custom(function = "message_text"))]
    #[validate(custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 4000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub body: String,
}

/// `PUT /chat/conversations/{id}/archived`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Archiving {
    /// `true` archives the conversation, `false` reopens it.
    pub archived: bool,
}

/// `POST /chat/conversations/{id}/read`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReadReceipt {
    /// The newest message read.
    pub message_id: MessageId,
}

/// Which way a page of history goes from its cursor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Older messages, newest first (the default: open a conversation at its end).
    #[default]
    Older,
    /// Newer messages, oldest first (catch up from a message).
    Newer,
}

/// `GET /chat/conversations/{id}/messages`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// `older` (default) or `newer` than `cursor`.
    #[serde(default)]
    #[param(inline)]
    pub direction: Direction,
}

/// `GET /chat/conversations`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ConversationFilter {
    /// Archived conversations instead of open ones.
    #[serde(default)]
    pub archived: bool,
    /// Staff: one of their clinics' conversations only.
    #[serde(default)]
    pub clinic_id: Option<ClinicId>,
}

/// A person (or the assistant) in a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    /// The user; `null` for the assistant.
    pub user_id: Option<UserId>,
    /// Their part.
    pub role: ParticipantRole,
    /// Display name.
    pub name: String,
    /// The newest message they have read.
    pub last_read_message_id: Option<MessageId>,
}

/// An emergency clinic open now, for a red flag.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmergencyClinic {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Its name.
    pub name: String,
    /// Its phone number.
    pub phone: Option<String>,
    /// Its address on one line.
    pub address: String,
    /// Kilometres from the given location.
    pub distance_km: Option<f64>,
}

/// What the emergency request endpoint takes, prefilled from a red flag.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmergencyDraft {
    /// The pet.
    pub pet_id: PetId,
    /// The owner's own words.
    pub description: String,
    /// The symptoms the red flags name.
    pub symptoms: Vec<String>,
    /// 1 = immediate … 4 = can wait.
    pub triage_level: u8,
    /// Where the pet is, when the owner said.
    pub location: Option<Location>,
}

/// Pre-triage of an owner's message to the assistant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Triage {
    /// The red flags found, most urgent first (empty: none).
    pub red_flags: Vec<RedFlag>,
    /// Emergency clinics open now, nearest first.
    pub emergency_clinics: Vec<EmergencyClinic>,
    /// The emergency request to start, prefilled.
    pub emergency_request: Option<EmergencyDraft>,
}

/// A message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    /// The message.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The sender; `null` for the assistant (or an erased account).
    pub sender_id: Option<UserId>,
    /// The sender's part.
    pub sender_role: ParticipantRole,
    /// The text; empty once deleted.
    pub body: String,
    /// The attached upload.
    pub attachment_id: Option<MediaId>,
    /// Assistant messages: what wrote it.
    pub generated_by: Option<GeneratedBy>,
    /// Assistant messages written by a model: which.
    pub model: Option<String>,
    /// Assistant messages: not a diagnosis.
    pub caveat: Option<String>,
    /// Assistant replies to a red flag: the flags, clinics and emergency draft.
    pub triage: Option<Triage>,
    /// Assistant messages: the owner's message answered.
    pub reply_to_id: Option<MessageId>,
    /// When it was last edited.
    pub edited_at: Option<DateTime<Utc>>,
    /// Deleted: a tombstone (no body, no attachment).
    pub deleted: bool,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

/// What a send answers: the message, and the assistant's immediate reply
/// (a red flag, or the rule-based answer) when there is one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentView {
    /// The message sent.
    pub message: MessageView,
    /// The assistant's reply, when given at once; a model's reply arrives on
    /// the socket (streamed) and in the history.
    pub reply: Option<MessageView>,
}

/// A conversation as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    /// The conversation.
    pub id: ConversationId,
    /// Who it is with.
    pub kind: ConversationKind,
    /// The clinic (`clinic` conversations).
    pub clinic_id: Option<ClinicId>,
    /// The owner it is with.
    pub owner_id: UserId,
    /// The pet it is about.
    pub pet_id: Option<PetId>,
    /// The appointment it is about.
    pub appointment_id: Option<AppointmentId>,
    /// Its subject.
    pub subject: Option<String>,
    /// Whether it is archived.
    pub archived: bool,
    /// Who is in it.
    pub participants: Vec<ParticipantView>,
    /// The newest message.
    pub last_message: Option<MessageView>,
    /// Messages from others the caller has not read.
    pub unread: i64,
    /// The newest message's time (or the creation time).
    pub last_activity_at: DateTime<Utc>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
}

/// A WebSocket ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    /// Pass as `ticket` to `GET /api/v1/chat/ws`; works once.
    pub ticket: String,
    /// Seconds it stays valid.
    pub expires_in_secs: u64,
}

/// `POST /chat/conversations/{id}/summary`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryView {
    /// The summary.
    pub summary: String,
    /// What wrote it.
    pub generated_by: GeneratedBy,
    /// The model, when one wrote it.
    pub model: Option<String>,
    /// Red flags found in the owner's messages.
    pub red_flags: Vec<RedFlag>,
    /// Generated text: check it against the conversation.
    pub caveat: String,
}
