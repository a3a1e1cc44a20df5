//! This crate's part of a person's data ([`platform::personal_data`]): their
//! conversations and the messages they wrote.
//!
//! Erasure deletes the conversations they are the owner of (with the clinic's
//! and the assistant's answers, which are about them) and leaves, in other
//! conversations (as staff or co-owner), a tombstone in place of each message
//! they wrote: no text, no attachment (the uploads themselves go with the
//! rest of their uploads, in `media`). Their read receipts go.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ConversationId, UserId};
use serde::Serialize;

use crate::api::{ConversationKind, MessageView, ParticipantRole};
use crate::models::{Conversation, Message};
use db::schema::{chat_conversations, chat_message_keys, chat_messages, chat_participants};

/// The `"chat"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

#[derive(Debug, Serialize)]
struct ExportedConversation {
    id: ConversationId,
    kind: ConversationKind,
    role: ParticipantRole,
    subject: Option<String>,
    created_at: DateTime<Utc>,
    /// The messages they wrote.
    messages: Vec<MessageView>,
}

/// Conversations `user` takes part in, with their part.
async fn conversations_of(
    connection: &mut AsyncPgConnection,
    user: UserId,
) -> kernel::Result<Vec<(Conversation, ParticipantRole)>> {
    Ok(chat_conversations::table
        .inner_join(chat_participants::table)
        .filter(chat_participants::user_id.eq(user))
        .select((Conversation::as_select(), chat_participants::role))
        .order(chat_conversations::created_at)
        .load(connection)
        .await?)
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "chat"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let written: i64 =
            chat_messages::table.filter(chat_messages::sender_id.eq(user)).count().get_result(connection).await?;
        let joined: i64 =
            chat_participants::table.filter(chat_participants::user_id.eq(user)).count().get_result(connection).await?;
        Ok(written + joined)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let mut exported = Vec::new();
        for (conversation, role) in conversations_of(connection, user).await? {
            let messages: Vec<Message> = chat_messages::table
                .filter(chat_messages::conversation_id.eq(conversation.id))
                .filter(chat_messages::sender_id.eq(user))
                .order(chat_messages::id)
                .select(Message::as_select())
                .load(connection)
                .await?;
            exported.push(ExportedConversation {
                id: conversation.id,
                kind: conversation.kind,
                role,
                subject: conversation.subject,
                created_at: conversation.created_at,
                messages: messages.into_iter().map(Message::view).collect(),
            });
        }
        serde_json::to_value(exported).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
        diesel::delete(chat_conversations::table.filter(chat_conversations::owner_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::update(
            chat_messages::table.filter(chat_messages::sender_id.eq(user)).filter(chat_messages::deleted_at.is_null()),
        )
        .set((
            chat_messages::body.eq(""),
            chat_messages::attachment_id.eq(None::<kernel::MediaId>),
            chat_messages::deleted_at.eq(now),
        ))
        .execute(connection)
        .await?;
        diesel::delete(chat_message_keys::table.filter(chat_message_keys::sender_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::delete(chat_participants::table.filter(chat_participants::user_id.eq(user)))
            .execute(connection)
            .await?;
        Ok(())
    }
}
