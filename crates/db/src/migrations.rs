//! Embedded migrations and their runner.
//!
//! The SQL lives in the workspace's `migrations/` folder and is compiled into the
//! binary. Diesel's migration harness is synchronous, so each operation runs on a
//! blocking thread through `AsyncConnectionWrapper` (which works on both the
//! multi-thread and the current-thread Tokio runtime).

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration of the workspace, in order.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Changes whenever the embedded migrations do (computed by `build.rs` from the
/// same files), so a database migrated by this build can be named after them.
pub const FINGERPRINT: &str = env!("MIGRATIONS_FINGERPRINT");

/// A migration operation failed; the message names the migration and the cause.
#[derive(Debug, thiserror::Error)]
#[error("migration failed: {0}")]
pub struct MigrationError(String);

/// One migration and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Folder name, e.g. `2026-11-25-000000_extensions`.
    pub name: String,
    /// Whether it is recorded in `__diesel_schema_migrations`.
    pub applied: bool,
}

type SyncConnection = AsyncConnectionWrapper<AsyncPgConnection>;

/// Applies every pending migration; returns the names applied.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, MigrationError> {
    with_harness(database_url, |connection| {
        let before: Vec<String> = pending_names(connection)?;
        connection.run_pending_migrations(MIGRATIONS)?;
        Ok(before)
    })
    .await
}

/// Reverts the most recent migration; returns its name, or `None` when nothing was applied.
pub async fn revert_last(database_url: &str) -> Result<Option<String>, MigrationError> {
    let last_applied = status(database_url).await?.into_iter().rev().find(|migration| migration.applied);
    let Some(last_applied) = last_applied else {
        return Ok(None);
    };
    with_harness(database_url, |connection| connection.revert_last_migration(MIGRATIONS).map(drop)).await?;
    Ok(Some(last_applied.name))
}

/// Lists every embedded migration with whether it is applied.
pub async fn status(database_url: &str) -> Result<Vec<MigrationStatus>, MigrationError> {
    with_harness(database_url, |connection| {
        let applied = connection.applied_migrations()?;
        let migrations = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)?;
        let mut statuses: Vec<MigrationStatus> = migrations
            .iter()
            .map(|migration| MigrationStatus {
                name: migration.name().to_string(),
                applied: applied.contains(&migration.name().version()),
            })
            .collect();
        statuses.sort_by(|left, right| left.name.cmp(&right.name));
        Ok(statuses)
    })
    .await
}

fn pending_names(connection: &mut SyncConnection) -> diesel::migration::Result<Vec<String>> {
    let mut names: Vec<String> =
        connection.pending_migrations(MIGRATIONS)?.iter().map(|migration| migration.name().to_string()).collect();
    names.sort();
    Ok(names)
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Whether every embedded migration is applied, checked on an ordinary pooled
/// connection (used by the readiness probe, so it must not block a thread).
pub async fn all_applied(connection: &mut AsyncPgConnection) -> kernel::Result<bool> {
    let applied: Vec<AppliedVersion> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(connection).await?;
    let migrations = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(|error| kernel::Error::internal(error.to_string()))?;
    Ok(migrations.iter().all(|migration| {
        let version = migration.name().version().to_string();
        applied.iter().any(|row| row.version == version)
    }))
}

async fn with_harness<T, F>(database_url: &str, operation: F) -> Result<T, MigrationError>
where
    T: Send + 'static,
    F: FnOnce(&mut SyncConnection) -> diesel::migration::Result<T> + Send + 'static,
{
    let database_url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut connection = <SyncConnection as diesel::Connection>::establish(&database_url)
            .map_err(|error| MigrationError(error.to_string()))?;
        operation(&mut connection).map_err(|error| MigrationError(error.to_string()))
    })
    .await
    .map_err(|error| MigrationError(error.to_string()))?
}
