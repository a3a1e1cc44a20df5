//! Queue inspection and repair for platform admins, through graphile-worker's
//! public SQL interface: the `graphile_worker.jobs` view, `reschedule_jobs` and
//! `complete_jobs` (its private tables are its own business).
//!
//! A job is *dead* when it failed `max_attempts` times and is not running; it
//! stays with its last error until an admin retries or discards it.

use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Principal, Role};
use platform::audit::{self, AuditEntry};

use crate::api::{DeadJob, QueueDepth};

const STATE: &str = "CASE WHEN j.locked_at IS NOT NULL THEN 'running' \
                          WHEN j.attempts >= j.max_attempts THEN 'dead' \
                          WHEN j.run_at > now() THEN 'scheduled' \
                          WHEN j.attempts > 0 THEN 'retrying' ELSE 'queued' END";

/// Jobs per kind and state.
pub async fn queue_depth(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<Vec<QueueDepth>> {
    principal.require(Role::PlatformAdmin)?;
    depth(connection).await
}

/// Jobs per kind and state, for whoever the caller answers to (metrics).
pub async fn depth(connection: &mut AsyncPgConnection) -> kernel::Result<Vec<QueueDepth>> {
    Ok(diesel::sql_query(format!(
        "SELECT j.task_identifier AS kind, {STATE} AS state, count(*) AS count \
         FROM graphile_worker.jobs j GROUP BY 1, 2 ORDER BY 1, 2"
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
        "SELECT j.id, j.task_identifier AS kind, j.attempts::int AS attempts, j.last_error, j.key AS unique_key, \
                j.created_at, j.updated_at AS failed_at \
         FROM graphile_worker.jobs j \
         WHERE j.attempts >= j.max_attempts AND j.locked_at IS NULL AND j.id < $1 \
         ORDER BY j.id DESC LIMIT $2",
    )
    .bind::<BigInt, _>(before)
    .bind::<BigInt, _>(page.fetch_limit())
    .load(connection)
    .await?;
    let page = Page::from_rows(rows, page, |job| id_to_cursor(job.id));
    Ok(page.map(|job| DeadJob { last_error: job.last_error.as_deref().map(job_error), ..job }))
}

/// Gives a dead job a fresh set of attempts, now.
pub async fn retry(connection: &mut AsyncPgConnection, principal: &Principal, id: i64) -> kernel::Result<()> {
    principal.require(Role::PlatformAdmin)?;
    let changed = diesel::sql_query(
        "SELECT graphile_worker.reschedule_jobs(array(SELECT id FROM graphile_worker.jobs \
                WHERE id = $1 AND attempts >= max_attempts AND locked_at IS NULL), \
                run_at => now(), attempts => 0)",
    )
    .bind::<BigInt, _>(id)
    .execute(connection)
    .await?;
    found(changed)?;
    // Wakes idle workers now rather than at their next poll.
    diesel::sql_query("SELECT pg_notify('jobs:insert', '')").execute(connection).await?;
    audit::record(connection, admin_entry(principal, "job.retried", id)).await
}

/// Deletes a dead job.
pub async fn discard(connection: &mut AsyncPgConnection, principal: &Principal, id: i64) -> kernel::Result<()> {
    principal.require(Role::PlatformAdmin)?;
    let deleted = diesel::sql_query(
        "SELECT graphile_worker.complete_jobs(array(SELECT id FROM graphile_worker.jobs \
                WHERE id = $1 AND attempts >= max_attempts AND locked_at IS NULL))",
    )
    .bind::<BigInt, _>(id)
    .execute(connection)
    .await?;
    found(deleted)?;
    audit::record(connection, admin_entry(principal, "job.discarded", id)).await
}

/// The message of a stored job error: graphile-worker keeps a failure as
/// `TaskError("<message>")` (the message Rust-escaped); admins read the message.
fn job_error(stored: &str) -> String {
    stored
        .strip_prefix("TaskError(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|quoted| serde_json::from_str::<String>(quoted).ok())
        .unwrap_or_else(|| stored.to_owned())
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_stored_task_error_reads_as_its_message() {
        assert_eq!(super::job_error(r#"TaskError("SMTP: \"421\" busy")"#), r#"SMTP: "421" busy"#);
        assert_eq!(super::job_error("TaskPanic(\"boom\")"), "TaskPanic(\"boom\")");
    }
}
