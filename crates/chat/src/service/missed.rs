//! Telling participants with no socket open that a message arrived: at most
//! once per conversation every `chat.notify_every_minutes`, through
//! `notifications` (category `chat`, so preferences and quiet hours apply).

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;
use notifications::{Category, Notification, Template};
use serde_json::json;

use crate::api::ParticipantRole;
use crate::models::Message;
use db::schema::chat_participants;

/// Characters of the message shown in the notification.
const PREVIEW_CHARS: usize = 120;

/// Notifies those of `offline` not notified about this conversation lately.
pub async fn notify(
    connection: &mut AsyncPgConnection,
    message: &Message,
    offline: &[UserId],
    every_minutes: i64,
    now: DateTime<Utc>,
) -> kernel::Result<Vec<UserId>> {
    if offline.is_empty() {
        return Ok(Vec::new());
    }
    let sender_name = match (message.sender_role, message.sender_id) {
        (ParticipantRole::Assistant, _) => "The assistant".to_owned(),
        (_, Some(sender)) => platform::users::name(connection, sender).await?.display(),
        (_, None) => "Someone".to_owned(),
    };
    let preview: String = message.body.chars().take(PREVIEW_CHARS).collect();
    let preview = if message.body.chars().count() > PREVIEW_CHARS { format!("{preview}…") } else { preview };
    let preview = if preview.is_empty() { "(an attachment)".to_owned() } else { preview };
    db::transaction(connection, async |connection| {
        let due: Vec<UserId> = diesel::update(
            chat_participants::table
                .filter(chat_participants::conversation_id.eq(message.conversation_id))
                .filter(chat_participants::user_id.eq_any(offline))
                .filter(
                    chat_participants::notified_at
                        .is_null()
                        .or(chat_participants::notified_at.lt(now - Duration::minutes(every_minutes))),
                ),
        )
        .set(chat_participants::notified_at.eq(now))
        .returning(chat_participants::user_id)
        .get_results(connection)
        .await?;
        let notification = Notification {
            category: Category::Chat,
            template: Template::ChatMessage,
            data: json!({ "sender_name": sender_name, "preview": preview }),
            sender: None,
            attachments: Vec::new(),
        };
        for user in &due {
            notifications::notify(connection, *user, &notification).await?;
        }
        Ok(due)
    })
    .await
}
