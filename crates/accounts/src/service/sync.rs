//! Keeping `users` in step with the identity provider (Clerk).
//!
//! Webhooks are delivered at least once and in any order, so:
//! - each delivery is recorded by its message id and applied once;
//! - a create or update is applied only when it is newer (`updated_at`) than the
//!   last one applied, so a late `user.created` cannot undo a `user.updated`;
//! - a deletion erases the person as `DELETE /users/me` does
//!   ([`super::personal_data::erase`]): the account row stays (other tables
//!   reference it), nothing revives a deleted user, and a deletion that
//!   arrives before the creation leaves a tombstone.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;
use platform::audit::{self, AuditEntry};
use platform::personal_data::Holders;
pub use platform::users::ProviderUser;

use crate::models::NewDelivery;
use db::schema::webhook_deliveries;

/// What a webhook asks us to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEvent {
    /// `user.created` or `user.updated`.
    Upserted(ProviderUser),
    /// `user.deleted`.
    Deleted {
        /// Clerk's user id.
        clerk_id: String,
    },
    /// A type we do not handle; acknowledged and ignored.
    Ignored,
}

/// Records delivery `message_id`; `false` when it was processed before.
pub async fn first_delivery(
    connection: &mut AsyncPgConnection,
    provider: &str,
    message_id: &str,
    event_type: &str,
    received_at: chrono::DateTime<chrono::Utc>,
) -> kernel::Result<bool> {
    let inserted = diesel::insert_into(webhook_deliveries::table)
        .values(NewDelivery { provider, message_id, event_type, received_at })
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

/// Applies `event` (a deletion erases every holder's part of the person's
/// data, `now` telling their future appointments from past ones); returns
/// the Clerk id whose cached principal is stale, if any.
pub async fn apply(
    connection: &mut AsyncPgConnection,
    holders: &Holders,
    event: &ProviderEvent,
    now: DateTime<Utc>,
) -> kernel::Result<Option<String>> {
    match event {
        ProviderEvent::Upserted(user) => upsert(connection, user).await,
        ProviderEvent::Deleted { clerk_id } => {
            super::personal_data::erase(connection, holders, clerk_id, (None, now)).await?;
            Ok(Some(clerk_id.clone()))
        }
        ProviderEvent::Ignored => Ok(None),
    }
}

async fn upsert(connection: &mut AsyncPgConnection, user: &ProviderUser) -> kernel::Result<Option<String>> {
    let Some(id) = platform::users::apply_provider_state(connection, user).await? else {
        tracing::info!("provider event older than the stored state, or for a deleted user; skipped");
        return Ok(None);
    };
    record_sync(connection, id, "user.provider_synced", serde_json::json!({ "role": user.role })).await?;
    Ok(Some(user.clerk_id.clone()))
}

async fn record_sync(
    connection: &mut AsyncPgConnection,
    id: UserId,
    action: &'static str,
    changes: serde_json::Value,
) -> kernel::Result<()> {
    audit::record(connection, AuditEntry::new(None, action, "user", id).with_changes(changes)).await
}
