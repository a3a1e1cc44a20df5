//! Queue inspection and repair for platform admins.
//!
//! Reads graphile-worker's tables directly (it has no listing API). A job is
//! *dead* when it failed `max_attempts` times and is not running; it stays with
//! its last error until an admin retries or discards it.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Principal, Role};
use platform::audit::{self, AuditEntry};
use serde::Serialize;
use utoipa::ToSchema;

/// How many jobs of one kind are in one state.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct QueueDepth {
    /// Job type, e.g. `send_email`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// `queued`, `scheduled` (future `run_at`), `retrying`, `running` or `dead`.
    #[diesel(sql_type = Text)]
    pub state: String,
    /// Number of jobs.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// A job that used up its attempts.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct DeadJob {
    /// Job id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Job type.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Attempts made.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The error of the last attempt.
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    /// Its uniqueness key, if any.
    #[diesel(sql_type = Nullable<Text>)]
    pub unique_key: Option<String>,
    /// When it was enqueued.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// When it last changed (its last failure).
    #[diesel(sql_type = Timestamptz)]
    pub failed_at: DateTime<Utc>,
}

const STATE: &str = "CASE WHEN j.locked_at IS NOT NULL THEN 'running' \
                          WHEN j.attempts >= j.max_attempts THEN 'dead' \
                          WHEN j.run_at > now() THEN 'scheduled' \
                          WHEN j.attempts > 0 THEN 'retrying' ELSE 'queued' END";

/// Jobs per kind and state.
pub async fn queue_depth(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<Vec<QueueDepth>> {
    principal.require(Role::PlatformAdmin)?;
    Ok(diesel::sql_query(format!(
        "SELECT t.identifier AS kind, {STATE} AS state, count(*) AS count \
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id \
         GROUP BY 1, 2 ORDER BY 1, 2"
    ))
    .load(connection)
    .await?)
}

/// Dead jobs, newest first.
pub async fn dead_jobs(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    page: &PageRequest,
) -> kernel::Result<Page<DeadJob>> {
    principal.require(Role::PlatformAdmin)?;
    let before = page.after.map_or(i64::MAX, cursor_to_id);
    let rows: Vec<DeadJob> = diesel::sql_query(
        "SELECT j.id, t.identifier AS kind, j.attempts::int AS attempts, j.last_error, j.key AS unique_key, \
                j.created_at, j.updated_at AS failed_at \
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id \
         WHERE j.attempts >= j.max_attempts AND j.locked_at IS NULL AND j.id < $1 \
         ORDER BY j.id DESC LIMIT $2",
    )
    .bind::<BigInt, _>(before)
    .bind::<BigInt, _>(page.fetch_limit())
    .load(connection)
    .await?;
    Ok(Page::from_rows(rows, page, |job| id_to_cursor(job.id)))
}

/// Gives a dead job a fresh set of attempts, now.
pub async fn retry(connection: &mut AsyncPgConnection, principal: &Principal, id: i64) -> kernel::Result<()> {
    principal.require(Role::PlatformAdmin)?;
    let changed = diesel::sql_query(
        "UPDATE graphile_worker._private_jobs SET attempts = 0, run_at = now(), updated_at = now() \
         WHERE id = $1 AND attempts >= max_attempts AND locked_at IS NULL",
    )
    .bind::<BigInt, _>(id)
    .execute(connection)
    .await?;
    found(changed)?;
    diesel::sql_query("SELECT pg_notify('jobs:insert', '')").execute(connection).await?;
    audit::record(connection, admin_entry(principal, "job.retried", id)).await
}

/// Deletes a dead job.
pub async fn discard(connection: &mut AsyncPgConnection, principal: &Principal, id: i64) -> kernel::Result<()> {
    principal.require(Role::PlatformAdmin)?;
    let deleted = diesel::sql_query(
        "DELETE FROM graphile_worker._private_jobs WHERE id = $1 AND attempts >= max_attempts AND locked_at IS NULL",
    )
    .bind::<BigInt, _>(id)
    .execute(connection)
    .await?;
    found(deleted)?;
    audit::record(connection, admin_entry(principal, "job.discarded", id)).await
}

fn found(rows: usize) -> kernel::Result<()> {
    if rows == 0 { Err(kernel::Error::NotFound { resource: "dead job" }) } else { Ok(()) }
}

fn admin_entry(principal: &Principal, action: &'static str, id: i64) -> AuditEntry {
    AuditEntry {
        actor: Some(principal.user_id),
        action,
        target_type: "job",
        target_id: id.to_string(),
        changes: serde_json::json!({}),
    }
}

/// Job ids are positive integers; the shared cursor carries 128 bits, so an id fits.
fn id_to_cursor(id: i64) -> uuid::Uuid {
    uuid::Uuid::from_u128(u128::from(id.unsigned_abs()))
}

fn cursor_to_id(cursor: uuid::Uuid) -> i64 {
    i64::try_from(cursor.as_u128()).unwrap_or(i64::MAX)
}
