//! Read receipts and typing: small signals about a conversation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ConversationId, MessageId, Principal};

use crate::access;
use crate::realtime::events::Event;
use crate::service::Fanout;
use crate::service::messages::mark_read;
use db::schema::chat_messages;

/// The caller has read up to `message` (of this conversation); tells the
/// others when that moved their receipt forward.
pub async fn read(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    message: MessageId,
    now: DateTime<Utc>,
) -> kernel::Result<Fanout> {
    db::transaction(connection, async |connection| {
        let (conversation, role) = access::resolve(connection, principal, id).await?;
        let exists = diesel::select(diesel::dsl::exists(
            chat_messages::table.filter(chat_messages::conversation_id.eq(id)).filter(chat_messages::id.eq(message)),
        ))
        .get_result::<bool>(connection)
        .await?;
        if !exists {
            return Err(kernel::Error::invalid_field("message_id", "must be a message of this conversation"));
        }
        if !mark_read(connection, id, principal.user_id, role, message, now).await? {
            return Ok(Fanout::default());
        }
        let audience = access::audience(connection, &conversation).await?;
        Ok(Fanout::one(audience, Event::Read { conversation_id: id, user_id: principal.user_id, message_id: message }))
    })
    .await
}

/// The caller is typing: the others are told (not stored).
pub async fn typing(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
) -> kernel::Result<Fanout> {
    let (conversation, _) = access::resolve(connection, principal, id).await?;
    let mut audience = access::audience(connection, &conversation).await?;
    audience.retain(|user| *user != principal.user_id);
    Ok(Fanout::one(audience, Event::Typing { conversation_id: id, user_id: principal.user_id }))
}
