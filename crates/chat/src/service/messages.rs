//! Sending (once per `client_message_id`), editing within the window,
//! deleting to a tombstone, and reading history both ways.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ConversationId, MessageId, Page, PageRequest, Principal, UserId, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::access;
use crate::api::{ConversationKind, Direction, EditMessage, MessageView, NewMessage, ParticipantRole, SentView};
use crate::assistant;
use crate::models::{Conversation, Message};
use crate::realtime::events::Event;
use crate::service::Fanout;
use db::schema::{chat_conversations, chat_message_keys, chat_messages, chat_participants};

/// Where uploads attached to messages belong, for `media`.
pub const ATTACHMENT_OWNER: &str = "chat_message";

/// What a send did.
#[derive(Debug)]
pub struct Sent {
    /// The message and any immediate reply, as answered.
    pub view: SentView,
    /// The message stored.
    pub message: Message,
    /// Events for the conversation's audience.
    pub fanout: Fanout,
    /// The conversation, for notifying whoever has no socket open.
    pub conversation: Conversation,
    /// Participants other than the sender (notified when offline).
    pub others: Vec<UserId>,
    /// Whether it was new (a resend of a `client_message_id` is not).
    pub created: bool,
}

/// Sends a message as the caller. A resent `client_message_id` answers the
/// stored message and changes nothing. To the assistant: the daily limit is
/// checked first (429, nothing stored), then pre-triage answers a red flag at
/// once; anything else is answered by the assistant job.
pub async fn send(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    request: &Valid<NewMessage>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> kernel::Result<Sent> {
    db::transaction(connection, async |connection| {
        let (conversation, role) = access::resolve(connection, principal, id).await?;
        if let Some(key) = request.client_message_id
            && let Some(existing) = resent(connection, id, principal.user_id, key).await?
        {
            return Ok(Sent {
                view: SentView { message: existing.clone().view(), reply: None },
                message: existing,
                fanout: Fanout::default(),
                conversation,
                others: Vec::new(),
                created: false,
            });
        }
        if conversation.kind == ConversationKind::Assistant {
            assistant::limits::check(connection, conversation.owner_id, &settings.assistant, now).await?;
        }
        let message = Message {
            id: MessageId::new(),
            conversation_id: id,
            sender_id: Some(principal.user_id),
            sender_role: role,
            body: request.body.clone(),
            attachment_id: request.attachment_id,
            generated_by: None,
            model: None,
            triage: None,
            reply_to_id: None,
            edited_at: None,
            deleted_at: None,
            created_at: now,
        };
        if let Some(key) = request.client_message_id {
            diesel::insert_into(chat_message_keys::table)
                .values((
                    chat_message_keys::conversation_id.eq(id),
                    chat_message_keys::sender_id.eq(principal.user_id),
                    chat_message_keys::client_message_id.eq(key),
                    chat_message_keys::message_id.eq(message.id),
                ))
                .execute(connection)
                .await?;
        }
        if let Some(upload) = request.attachment_id {
            media::service::claim(
                connection,
                principal,
                upload,
                media::api::Purpose::ChatAttachment,
                (ATTACHMENT_OWNER, message.id.0),
            )
            .await
            .map_err(|_| {
                kernel::Error::invalid_field("attachment_id", "must be an unattached chat_attachment upload of yours")
            })?;
        }
        diesel::insert_into(chat_messages::table).values(&message).execute(connection).await?;
        let reply = match conversation.kind {
            ConversationKind::Assistant => {
                assistant::answer_or_defer(
                    connection,
                    principal,
                    &conversation,
                    &message,
                    request.location,
                    settings,
                    now,
                )
                .await?
            }
            ConversationKind::Clinic => None,
        };
        let newest = reply.as_ref().map_or(message.id, |reply| reply.id);
        diesel::update(chat_conversations::table.find(id))
            .set((
                chat_conversations::last_activity_at.eq(now),
                chat_conversations::archived_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(connection)
            .await?;
        mark_read(connection, id, principal.user_id, role, newest, now).await?;
        let audience = access::audience(connection, &conversation).await?;
        let mut fanout = Fanout::one(
            audience.clone(),
            Event::MessageCreated { conversation_id: id, message: Box::new(message.clone().view()) },
        );
        if let Some(reply) = &reply {
            fanout
                .push(audience, Event::MessageCreated { conversation_id: id, message: Box::new(reply.clone().view()) });
        }
        let others = chat_participants::table
            .filter(chat_participants::conversation_id.eq(id))
            .filter(chat_participants::user_id.ne(principal.user_id))
            .select(chat_participants::user_id)
            .load(connection)
            .await?;
        Ok(Sent {
            view: SentView { message: message.clone().view(), reply: reply.map(Message::view) },
            message,
            fanout,
            conversation,
            others,
            created: true,
        })
    })
    .await
}

/// The message stored under `client_message_id` by `sender`, if any.
async fn resent(
    connection: &mut AsyncPgConnection,
    conversation: ConversationId,
    sender: UserId,
    key: uuid::Uuid,
) -> kernel::Result<Option<Message>> {
    let stored: Option<MessageId> = chat_message_keys::table
        .find((conversation, sender, key))
        .select(chat_message_keys::message_id)
        .first(connection)
        .await
        .optional()?;
    let Some(stored) = stored else { return Ok(None) };
    Ok(chat_messages::table
        .filter(chat_messages::conversation_id.eq(conversation))
        .filter(chat_messages::id.eq(stored))
        .select(Message::as_select())
        .first(connection)
        .await
        .optional()?)
}

/// Records that `user` has read up to `message` (never backwards); staff join
/// the conversation's participants with their first read or message.
pub async fn mark_read(
    connection: &mut AsyncPgConnection,
    conversation: ConversationId,
    user: UserId,
    role: ParticipantRole,
    message: MessageId,
    now: DateTime<Utc>,
) -> kernel::Result<bool> {
    use diesel::sql_types::{Text, Timestamptz, Uuid};
    let moved = diesel::sql_query(
        "INSERT INTO chat_participants (conversation_id, user_id, role, last_read_id, last_read_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id, user_id) DO UPDATE
            SET last_read_id = EXCLUDED.last_read_id, last_read_at = EXCLUDED.last_read_at
          WHERE chat_participants.last_read_id IS NULL OR chat_participants.last_read_id < EXCLUDED.last_read_id",
    )
    .bind::<Uuid, _>(conversation)
    .bind::<Uuid, _>(user)
    .bind::<Text, _>(role)
    .bind::<Uuid, _>(message)
    .bind::<Timestamptz, _>(now)
    .execute(connection)
    .await?;
    Ok(moved == 1)
}

/// Changes the text of the caller's own message within
/// `chat.edit_window_minutes` of sending it; audited (without the text).
pub async fn edit(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    (id, message): (ConversationId, MessageId),
    request: &Valid<EditMessage>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> kernel::Result<(MessageView, Fanout)> {
    db::transaction(connection, async |connection| {
        let (conversation, found) = own_message(connection, principal, id, message).await?;
        if now - found.created_at > Duration::minutes(settings.edit_window_minutes) {
            return Err(kernel::Error::Conflict {
                message: format!("messages can be edited for {} minutes after sending", settings.edit_window_minutes),
                details: json!({ "reason": "edit_window_passed" }),
            });
        }
        let edited = diesel::update(
            chat_messages::table.filter(chat_messages::conversation_id.eq(id)).filter(chat_messages::id.eq(message)),
        )
        .set((chat_messages::body.eq(&request.body), chat_messages::edited_at.eq(now)))
        .returning(Message::as_returning())
        .get_result(connection)
        .await?;
        let changes = json!({ "length": { "from": found.body.chars().count(), "to": request.body.chars().count() } });
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "chat.message_edited", "chat_message", message)
                .with_changes(changes),
        )
        .await?;
        let view = edited.view();
        let audience = access::audience(connection, &conversation).await?;
        let event = Event::MessageEdited { conversation_id: id, message: Box::new(view.clone()) };
        Ok((view, Fanout::one(audience, event)))
    })
    .await
}

/// Deletes the caller's own message: the text and attachment go, a tombstone
/// keeps its place; audited.
pub async fn delete(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    (id, message): (ConversationId, MessageId),
    now: DateTime<Utc>,
) -> kernel::Result<Fanout> {
    db::transaction(connection, async |connection| {
        let (conversation, found) = own_message(connection, principal, id, message).await?;
        let tombstone = diesel::update(
            chat_messages::table.filter(chat_messages::conversation_id.eq(id)).filter(chat_messages::id.eq(message)),
        )
        .set((
            chat_messages::body.eq(""),
            chat_messages::attachment_id.eq(None::<kernel::MediaId>),
            chat_messages::triage.eq(None::<serde_json::Value>),
            chat_messages::deleted_at.eq(now),
        ))
        .returning(Message::as_returning())
        .get_result(connection)
        .await?;
        if let Some(upload) = found.attachment_id {
            media::service::release(connection, upload).await?;
        }
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "chat.message_deleted", "chat_message", message),
        )
        .await?;
        let audience = access::audience(connection, &conversation).await?;
        Ok(Fanout::one(audience, Event::MessageDeleted { conversation_id: id, message: Box::new(tombstone.view()) }))
    })
    .await
}

/// The caller's own, not yet deleted message (`NotFound` for anything else
/// in a conversation they cannot see; `Forbidden` for someone else's).
async fn own_message(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    message: MessageId,
) -> kernel::Result<(Conversation, Message)> {
    let (conversation, _) = access::resolve(connection, principal, id).await?;
    let found = chat_messages::table
        .filter(chat_messages::conversation_id.eq(id))
        .filter(chat_messages::id.eq(message))
        .filter(chat_messages::deleted_at.is_null())
        .select(Message::as_select())
        .for_update()
        .first::<Message>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "message" })?;
    if found.sender_id != Some(principal.user_id) {
        return Err(kernel::Error::Forbidden("only its sender may change a message".to_owned()));
    }
    Ok((conversation, found))
}

/// A page of history: older than the cursor newest first (the default), or
/// newer than it oldest first.
pub async fn history(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    direction: Direction,
    page: &PageRequest,
) -> kernel::Result<Page<MessageView>> {
    access::resolve(connection, principal, id).await?;
    let mut query = chat_messages::table
        .filter(chat_messages::conversation_id.eq(id))
        .select(Message::as_select())
        .limit(page.fetch_limit())
        .into_boxed();
    query = match (direction, page.after) {
        (Direction::Older, None) => query.order(chat_messages::id.desc()),
        (Direction::Older, Some(cursor)) => {
            query.filter(chat_messages::id.lt(MessageId(cursor))).order(chat_messages::id.desc())
        }
        (Direction::Newer, None) => query.order(chat_messages::id.asc()),
        (Direction::Newer, Some(cursor)) => {
            query.filter(chat_messages::id.gt(MessageId(cursor))).order(chat_messages::id.asc())
        }
    };
    let rows = Page::from_rows(query.load(connection).await?, page, |message: &Message| message.id.0);
    Ok(Page { items: rows.items.into_iter().map(Message::view).collect(), next_cursor: rows.next_cursor })
}

/// The attachment of a message in a conversation the caller can see.
pub async fn attachment(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    (id, message): (ConversationId, MessageId),
) -> kernel::Result<media::models::Media> {
    access::resolve(connection, principal, id).await?;
    let found: Option<Option<kernel::MediaId>> = chat_messages::table
        .filter(chat_messages::conversation_id.eq(id))
        .filter(chat_messages::id.eq(message))
        .select(chat_messages::attachment_id)
        .first(connection)
        .await
        .optional()?;
    let upload = found.flatten().ok_or(kernel::Error::NotFound { resource: "file" })?;
    media::service::attached_to(connection, upload, (ATTACHMENT_OWNER, message.0)).await
}
