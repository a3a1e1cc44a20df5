//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{AppointmentId, ClinicId, ConversationId, MediaId, MessageId, PetId, UserId};

use crate::api::{CAVEAT, ConversationKind, GeneratedBy, MessageView, ParticipantRole, Triage};
use db::schema::{chat_conversations, chat_messages, chat_participants};

/// A `chat_conversations` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chat_conversations, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub clinic_id: Option<ClinicId>,
    pub owner_id: UserId,
    pub pet_id: Option<PetId>,
    pub appointment_id: Option<AppointmentId>,
    pub subject: Option<String>,
    pub created_by: Option<UserId>,
    pub archived_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A `chat_participants` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chat_participants, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Participant {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub role: ParticipantRole,
    pub last_read_id: Option<MessageId>,
}

/// A `chat_messages` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chat_messages, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub sender_id: Option<UserId>,
    pub sender_role: ParticipantRole,
    pub body: String,
    pub attachment_id: Option<MediaId>,
    pub generated_by: Option<GeneratedBy>,
    pub model: Option<String>,
    pub triage: Option<serde_json::Value>,
    pub reply_to_id: Option<MessageId>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Message {
    /// As the API shows it: a deleted message keeps only its place.
    pub fn view(self) -> MessageView {
        let deleted = self.deleted_at.is_some();
        let triage = self.triage.and_then(|triage| serde_json::from_value::<Triage>(triage).ok());
        MessageView {
            id: self.id,
            conversation_id: self.conversation_id,
            sender_id: self.sender_id,
            sender_role: self.sender_role,
            body: if deleted { String::new() } else { self.body },
            attachment_id: if deleted { None } else { self.attachment_id },
            caveat: self.generated_by.map(|_| CAVEAT.to_owned()),
            generated_by: self.generated_by,
            model: self.model,
            reply_to_id: self.reply_to_id,
            triage: if deleted { None } else { triage },
            edited_at: self.edited_at,
            deleted,
            created_at: self.created_at,
        }
    }
}
