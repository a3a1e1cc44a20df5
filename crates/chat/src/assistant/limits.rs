//! The per-owner daily limit on questions to the assistant (model or rules),
//! counted from the messages themselves, so it holds across instances.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;

use crate::api::ConversationKind;
use crate::settings::AssistantSettings;
use db::schema::{chat_conversations, chat_messages};

/// `RateLimited` (until midnight UTC) once `owner` has asked the assistant
/// `assistant.daily_limit` questions today.
pub async fn check(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    settings: &AssistantSettings,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let today = now.date_naive();
    let midnight = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let asked: i64 = chat_messages::table
        .inner_join(chat_conversations::table.on(chat_conversations::id.eq(chat_messages::conversation_id)))
        .filter(chat_conversations::owner_id.eq(owner))
        .filter(chat_conversations::kind.eq(ConversationKind::Assistant))
        .filter(chat_messages::sender_id.eq(owner))
        .filter(chat_messages::created_at.ge(midnight))
        .count()
        .get_result(connection)
        .await?;
    if asked < settings.daily_limit {
        return Ok(());
    }
    let next_day = midnight + Duration::days(1);
    let retry_after_secs = u64::try_from((next_day - now).num_seconds().max(1)).unwrap_or(1);
    Err(kernel::Error::RateLimited { retry_after_secs })
}
