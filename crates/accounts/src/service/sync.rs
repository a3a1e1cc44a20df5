//! Keeping `users` in step with the identity provider (Clerk).
//!
//! Webhooks are delivered at least once and in any order, so:
//! - each delivery is recorded by its message id and applied once;
//! - a create or update is applied only when it is newer (`updated_at`) than the
//!   last one applied, so a late `user.created` cannot undo a `user.updated`;
//! - a deletion deactivates the user and erases their personal data but keeps
//!   the row (other tables reference it); nothing revives a deleted user, and a
//!   deletion that arrives before the creation leaves a tombstone.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Role, UserId};
use platform::audit::{self, AuditEntry};

use db::schema::{users, webhook_deliveries};

/// A user as the identity provider describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUser {
    /// Clerk's user id.
    pub clerk_id: String,
    /// Primary email.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary phone.
    pub phone: Option<String>,
    /// Role from `public_metadata.role`; unknown values are `PetOwner`.
    pub role: Role,
    /// When the provider last changed the user.
    pub updated_at: DateTime<Utc>,
}

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
) -> kernel::Result<bool> {
    let inserted = diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::provider.eq(provider),
            webhook_deliveries::message_id.eq(message_id),
            webhook_deliveries::event_type.eq(event_type),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

/// Applies `event`; returns the Clerk id whose cached principal is stale, if any.
pub async fn apply(connection: &mut AsyncPgConnection, event: &ProviderEvent) -> kernel::Result<Option<String>> {
    match event {
        ProviderEvent::Upserted(user) => upsert(connection, user).await,
        ProviderEvent::Deleted { clerk_id } => delete(connection, clerk_id).await.map(Some),
        ProviderEvent::Ignored => Ok(None),
    }
}

async fn upsert(connection: &mut AsyncPgConnection, user: &ProviderUser) -> kernel::Result<Option<String>> {
    // One statement: insert, or update only a live row with an older version.
    let changed = diesel::sql_query(
        "INSERT INTO users (id, clerk_id, email, first_name, last_name, phone, role, provider_updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (clerk_id) DO UPDATE SET \
             email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name, \
             phone = excluded.phone, role = excluded.role, provider_updated_at = excluded.provider_updated_at \
         WHERE users.deleted_at IS NULL \
           AND (users.provider_updated_at IS NULL OR users.provider_updated_at <= excluded.provider_updated_at)",
    )
    .bind::<diesel::sql_types::Uuid, _>(UserId::new())
    .bind::<Text, _>(&user.clerk_id)
    .bind::<Nullable<Text>, _>(&user.email)
    .bind::<Nullable<Text>, _>(&user.first_name)
    .bind::<Nullable<Text>, _>(&user.last_name)
    .bind::<Nullable<Text>, _>(&user.phone)
    .bind::<Text, _>(user.role)
    .bind::<Timestamptz, _>(user.updated_at)
    .execute(connection)
    .await?;
    if changed == 0 {
        tracing::info!("provider event older than the stored state, or for a deleted user; skipped");
        return Ok(None);
    }
    record_sync(connection, &user.clerk_id, "user.provider_synced", serde_json::json!({ "role": user.role })).await?;
    Ok(Some(user.clerk_id.clone()))
}

async fn delete(connection: &mut AsyncPgConnection, clerk_id: &str) -> kernel::Result<String> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new()),
            users::clerk_id.eq(clerk_id),
            users::is_active.eq(false),
            users::deleted_at.eq(diesel::dsl::now),
        ))
        .on_conflict(users::clerk_id)
        .do_update()
        .set((
            users::email.eq(None::<String>),
            users::first_name.eq(None::<String>),
            users::last_name.eq(None::<String>),
            users::phone.eq(None::<String>),
            users::preferences.eq(serde_json::json!({})),
            users::is_active.eq(false),
            users::deleted_at.eq(diesel::dsl::now),
        ))
        .execute(connection)
        .await?;
    record_sync(connection, clerk_id, "user.provider_deleted", serde_json::json!({ "personal_data": "erased" }))
        .await?;
    Ok(clerk_id.to_owned())
}

async fn record_sync(
    connection: &mut AsyncPgConnection,
    clerk_id: &str,
    action: &'static str,
    changes: serde_json::Value,
) -> kernel::Result<()> {
    let id: UserId = users::table.filter(users::clerk_id.eq(clerk_id)).select(users::id).first(connection).await?;
    audit::record(
        connection,
        AuditEntry { actor: None, action, target_type: "user", target_id: id.to_string(), changes },
    )
    .await
}

/// Creates or updates the local user `subject` with `role` (development tokens).
pub async fn provision_dev_user(
    connection: &mut AsyncPgConnection,
    subject: &str,
    email: &str,
    role: Role,
) -> kernel::Result<UserId> {
    Ok(diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new()),
            users::clerk_id.eq(subject),
            users::email.eq(email),
            users::role.eq(role),
        ))
        .on_conflict(users::clerk_id)
        .do_update()
        .set((users::email.eq(email), users::role.eq(role), users::is_active.eq(true)))
        .returning(users::id)
        .get_result(connection)
        .await?)
}
