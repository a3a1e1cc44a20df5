//! The audit log: who changed what, and when.
//!
//! Any crate calls [`record`] inside the transaction that makes the change, so
//! the entry exists exactly when the change does. The table is append-only (a
//! trigger refuses UPDATE and DELETE). `changes` holds a minimal before/after of
//! the fields that changed and never secrets or tokens.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;
use serde_json::Value;

use crate::request_id::RequestId;
use db::schema::audit_log;

/// Creates the next two months' partitions of `audit_log` when missing (run
/// daily by `jobs`), so rows never land in the default partition.
pub const PREPARE_PARTITIONS: &str = "DO $$
     DECLARE month date;
     BEGIN
       FOR offset_months IN 1..2 LOOP
         month := date_trunc('month', now() + make_interval(months => offset_months))::date;
         EXECUTE format(
           'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
           'audit_log_' || to_char(month, 'YYYY_MM'), month, (month + interval '1 month')::date);
       END LOOP;
     END $$;";

/// One audited change.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Who acted; `None` for the system (webhooks, jobs).
    pub actor: Option<UserId>,
    /// What happened, `area.verb`, e.g. `user.role_changed`.
    pub action: &'static str,
    /// Kind of the changed resource, e.g. `user`.
    pub target_type: &'static str,
    /// Id of the changed resource.
    pub target_id: String,
    /// `{"field": {"from": .., "to": ..}}` for the fields that changed.
    pub changes: Value,
}

impl AuditEntry {
    /// An entry without field changes; add them with [`AuditEntry::with_changes`].
    pub fn new(
        actor: Option<UserId>,
        action: &'static str,
        target_type: &'static str,
        target_id: impl std::fmt::Display,
    ) -> Self {
        Self {
            actor,
            action,
            target_type,
            target_id: target_id.to_string(),
            changes: Value::Object(Default::default()),
        }
    }

    /// The same entry with `changes`.
    pub fn with_changes(self, changes: Value) -> Self {
        Self { changes, ..self }
    }
}

/// An `audit_log` row to insert. A `None` is written as `NULL` (the column's
/// default), not as `DEFAULT`: Diesel parses an insert with `DEFAULT` in it
/// afresh on every call, and every write records an entry.
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewAuditRow {
    id: uuid::Uuid,
    actor_id: Option<UserId>,
    action: &'static str,
    target_type: &'static str,
    target_id: String,
    request_id: Option<String>,
    changes: Value,
}

/// Appends `entry`, tagged with the current request id (on a shared
/// connection: a caller may pipeline it with its other writes).
pub async fn record(mut connection: &AsyncPgConnection, entry: AuditEntry) -> kernel::Result<()> {
    diesel::insert_into(audit_log::table).values(NewAuditRow::from(entry)).execute(&mut connection).await?;
    Ok(())
}

impl From<AuditEntry> for NewAuditRow {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: uuid::Uuid::now_v7(),
            actor_id: entry.actor,
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            request_id: RequestId::current().map(|id| id.to_string()),
            changes: entry.changes,
        }
    }
}

/// One audited change.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditRecord {
    /// Entry id (time-ordered).
    pub id: uuid::Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who acted; `null` for the system.
    pub actor_id: Option<UserId>,
    /// What happened, e.g. `user.role_changed`.
    pub action: String,
    /// Kind of the changed resource.
    pub target_type: String,
    /// Id of the changed resource.
    pub target_id: String,
    /// The request that made the change.
    pub request_id: Option<String>,
    /// What changed.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// One step of a resource's history, as its readers see it: who did what, when.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// What happened, e.g. `health_record.updated`.
    pub action: String,
    /// Who; `null` for the system.
    pub actor_id: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// What changed (`{"field": {"from": .., "to": ..}}`).
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

impl From<AuditRecord> for HistoryEntry {
    fn from(record: AuditRecord) -> Self {
        Self { action: record.action, actor_id: record.actor_id, at: record.occurred_at, changes: record.changes }
    }
}

/// Every entry about one resource, oldest first: its change history.
pub async fn trail(
    connection: &mut AsyncPgConnection,
    target_type: &str,
    target_id: impl std::fmt::Display,
) -> kernel::Result<Vec<AuditRecord>> {
    Ok(audit_log::table
        .filter(audit_log::target_type.eq(target_type))
        .filter(audit_log::target_id.eq(target_id.to_string()))
        .select(AuditRecord::as_select())
        .order(audit_log::id.asc())
        .load(connection)
        .await?)
}

/// Which entries [`list`] returns.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    /// Made by this user.
    pub actor: Option<UserId>,
    /// About this kind of resource.
    pub target_type: Option<&'a str>,
    /// About this resource.
    pub target_id: Option<&'a str>,
    /// This action.
    pub action: Option<&'a str>,
}

/// Entries newest first, filtered (who may read them is the caller's rule).
pub async fn list(
    connection: &mut AsyncPgConnection,
    query: &AuditQuery<'_>,
    page: &kernel::PageRequest,
) -> kernel::Result<kernel::Page<AuditRecord>> {
    let mut select = audit_log::table.select(AuditRecord::as_select()).into_boxed();
    if let Some(actor) = query.actor {
        select = select.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(target_type) = query.target_type {
        select = select.filter(audit_log::target_type.eq(target_type));
    }
    if let Some(target_id) = query.target_id {
        select = select.filter(audit_log::target_id.eq(target_id));
    }
    if let Some(action) = query.action {
        select = select.filter(audit_log::action.eq(action));
    }
    if let Some(after) = page.after {
        select = select.filter(audit_log::id.lt(after));
    }
    let rows = select.order(audit_log::id.desc()).limit(page.fetch_limit()).load(connection).await?;
    Ok(kernel::Page::from_rows(rows, page, |record| record.id))
}

/// Every entry about `user` or made by them, oldest first (their data export).
pub async fn trail_of_user(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Vec<AuditRecord>> {
    Ok(audit_log::table
        .filter(
            audit_log::actor_id
                .eq(user)
                .or(audit_log::target_type.eq("user").and(audit_log::target_id.eq(user.to_string()))),
        )
        .select(AuditRecord::as_select())
        .order(audit_log::id.asc())
        .load(connection)
        .await?)
}

/// `{"from": before, "to": after}` for one field.
pub fn change(before: impl serde::Serialize, after: impl serde::Serialize) -> Value {
    serde_json::json!({ "from": before, "to": after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::query_builder::QueryFragment;

    #[test]
    fn the_insert_of_an_entry_without_actor_or_request_stays_prepared() {
        let row = NewAuditRow::from(AuditEntry::new(None, "user.deactivated", "user", "someone"));
        assert_eq!((row.actor_id, &row.request_id), (None, &None));
        let insert = diesel::insert_into(audit_log::table).values(row);
        assert!(insert.is_safe_to_cache_prepared(&diesel::pg::Pg).unwrap());
    }
}
