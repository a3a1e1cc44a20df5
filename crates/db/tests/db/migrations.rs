//! The migrations against a real Postgres: every one reverses exactly, and the
//! runner used by `gateway migrate` reports and applies them correctly.

use std::process::Command;

use db::migrations::{self, MIGRATIONS};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use testkit::TestDb;

/// The schema as `pg_dump` prints it (the migration bookkeeping table excluded).
fn schema_of(url: &str) -> String {
    let output = Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=__diesel_schema_migrations",
            "-d",
            url,
        ])
        .output()
        .expect("run pg_dump (install postgresql-client)");
    assert!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr));
    // `\restrict` lines carry a random key per dump; they are not schema.
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_migration_reverses_exactly() {
    let database = TestDb::empty().await;
    let url = database.url().to_owned();
    let count = tokio::task::spawn_blocking(move || {
        let mut connection =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url).unwrap();
        let empty = schema_of(&url);
        let mut count = 0;
        while connection.has_pending_migration(MIGRATIONS).unwrap() {
            let before = schema_of(&url);
            let name = connection.run_next_migration(MIGRATIONS).unwrap().to_string();
            let after = schema_of(&url);
            connection.revert_last_migration(MIGRATIONS).unwrap();
            assert_eq!(schema_of(&url), before, "down of {name} does not undo its up");
            connection.run_next_migration(MIGRATIONS).unwrap();
            assert_eq!(schema_of(&url), after, "up of {name} is not repeatable after its down");
            count += 1;
        }
        connection.revert_all_migrations(MIGRATIONS).unwrap();
        assert_eq!(schema_of(&url), empty, "reverting everything leaves schema behind");
        count
    })
    .await
    .unwrap();
    assert!(count >= 2, "expected every migration to be exercised, ran {count}");
}

#[tokio::test]
async fn the_runner_reports_applies_and_reverts() {
    let database = TestDb::empty().await;
    let url = database.url();

    let before = migrations::status(url).await.unwrap();
    assert!(!before.is_empty());
    assert!(before.iter().all(|migration| !migration.applied));

    let applied = migrations::run_pending(url).await.unwrap();
    assert_eq!(applied.len(), before.len());
    assert!(migrations::status(url).await.unwrap().iter().all(|migration| migration.applied));
    assert!(migrations::all_applied(&mut database.connect().await).await.unwrap());
    assert!(migrations::run_pending(url).await.unwrap().is_empty(), "a second run applies nothing");

    let reverted = migrations::revert_last(url).await.unwrap().unwrap();
    let after = migrations::status(url).await.unwrap();
    let last = after.last().unwrap();
    assert_eq!((last.name.as_str(), last.applied), (reverted.as_str(), false));
    assert!(!migrations::all_applied(&mut database.connect().await).await.unwrap());
}

#[tokio::test]
async fn the_extensions_later_areas_need_are_installed() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    use diesel_async::RunQueryDsl;
    for extension in ["btree_gist", "pg_trgm", "cube", "earthdistance"] {
        let found = diesel::sql_query(format!("SELECT 1 FROM pg_extension WHERE extname = '{extension}'"))
            .execute(&mut connection)
            .await
            .unwrap();
        assert_eq!(found, 1, "extension {extension} is missing");
    }
}
