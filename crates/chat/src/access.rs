//! Who may see a conversation: its owner and co-owner participants, and any
//! staff member of its clinic. Everyone else (other owners, other clinics'
//! staff, platform admins) gets `NotFound`, exactly as for a conversation
//! that does not exist, and receives none of its events.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ConversationId, Principal, UserId};

use crate::api::ParticipantRole;
use crate::models::Conversation;
use db::schema::{chat_conversations, chat_participants};

/// The conversation and the caller's part in it, or `NotFound`.
pub async fn resolve(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
) -> kernel::Result<(Conversation, ParticipantRole)> {
    let not_found = || kernel::Error::NotFound { resource: "conversation" };
    let (conversation, role) = chat_conversations::table
        .left_join(
            chat_participants::table.on(chat_participants::conversation_id
                .eq(chat_conversations::id)
                .and(chat_participants::user_id.eq(principal.user_id))),
        )
        .filter(chat_conversations::id.eq(id))
        .select((Conversation::as_select(), chat_participants::role.nullable()))
        .first::<(Conversation, Option<ParticipantRole>)>(connection)
        .await
        .optional()?
        .ok_or_else(not_found)?;
    if conversation.clinic_id.is_some_and(|clinic| principal.clinic_role(clinic).is_some()) {
        return Ok((conversation, ParticipantRole::Staff));
    }
    match role {
        Some(role @ (ParticipantRole::Owner | ParticipantRole::CoOwner)) => Ok((conversation, role)),
        _ => Err(not_found()),
    }
}

/// Everyone who receives a conversation's events: its owner and co-owner
/// participants and every staff member of its clinic.
pub async fn audience(connection: &mut AsyncPgConnection, conversation: &Conversation) -> kernel::Result<Vec<UserId>> {
    let mut users: Vec<UserId> = chat_participants::table
        .filter(chat_participants::conversation_id.eq(conversation.id))
        .filter(chat_participants::role.ne(ParticipantRole::Staff))
        .select(chat_participants::user_id)
        .load(connection)
        .await?;
    if let Some(clinic) = conversation.clinic_id {
        users.extend(clinics::service::staff::member_ids(connection, clinic).await?);
    }
    users.sort_unstable();
    users.dedup();
    Ok(users)
}
