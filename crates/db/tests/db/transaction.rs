//! `db::transaction`, `db::all_or_nothing` and `db::snapshot`: all or
//! nothing alone, no savepoint inside a caller's transaction, a failure there
//! that the caller swallows still cannot be committed; statements planned once
//! inside transactions and snapshots, and a snapshot only reads.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use testkit::TestDb;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn mark(connection: &mut AsyncPgConnection, n: i32) -> kernel::Result<()> {
    diesel::sql_query("INSERT INTO marks (n) VALUES ($1)").bind::<Integer, _>(n).execute(connection).await?;
    Ok(())
}

/// A fresh database with an empty `marks` table, and a connection to it
/// whose statements are counted.
async fn with_marks() -> (TestDb, AsyncPgConnection) {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    connection.set_instrumentation(db::spans::QuerySpans::default());
    diesel::sql_query("CREATE TABLE marks (n int PRIMARY KEY)").execute(&mut connection).await.unwrap();
    (database, connection)
}

async fn count_marks(connection: &mut AsyncPgConnection) -> kernel::Result<i64> {
    let counted: Count = diesel::sql_query("SELECT count(*) AS count FROM marks").get_result(connection).await?;
    Ok(counted.count)
}

/// The marks committed (read on a connection of its own).
async fn marks(database: &TestDb) -> i64 {
    count_marks(&mut database.connect().await).await.unwrap()
}

#[tokio::test]
async fn all_or_nothing_is_a_transaction_alone_and_joins_a_callers_without_a_savepoint() {
    let (database, mut connection) = with_marks().await;

    let alone = db::all_or_nothing(&mut connection, async |connection| {
        mark(connection, 1).await?;
        mark(connection, 1).await
    })
    .await;
    assert!(matches!(alone, Err(kernel::Error::Conflict { .. })), "{alone:?}");
    assert_eq!(marks(&database).await, 0, "alone, its first insert rolled back with the second");

    db::transaction(&mut connection, async |connection| {
        let before = db::spans::statements_sent();
        db::all_or_nothing(connection, async |connection| mark(connection, 2).await).await?;
        assert_eq!(db::spans::statements_sent() - before, 1, "the insert alone: no savepoint around it");
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(marks(&database).await, 1);
}

#[tokio::test]
async fn a_failure_inside_a_callers_transaction_cannot_be_committed_even_when_swallowed() {
    let (database, mut connection) = with_marks().await;
    mark(&mut connection, 1).await.unwrap();

    let swallowed = db::transaction(&mut connection, async |connection| {
        mark(connection, 2).await?;
        let failed = db::all_or_nothing(connection, async |connection| mark(connection, 1).await).await;
        assert!(failed.is_err());
        Ok(())
    })
    .await;
    assert!(swallowed.is_err(), "the caller's commit fails: {swallowed:?}");
    assert_eq!(marks(&database).await, 1, "the caller's own insert is not committed either");
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    plan_cache_mode: String,
}

#[derive(QueryableByName)]
struct Plans {
    #[diesel(sql_type = BigInt)]
    generic: i64,
    #[diesel(sql_type = BigInt)]
    custom: i64,
}

/// A lookup by an array of keys, which PostgreSQL re-plans on every execution
/// when left to choose.
async fn lookup(connection: &mut AsyncPgConnection) -> kernel::Result<()> {
    db::Sql::query("SELECT n FROM marks WHERE n = ANY($1) /* plan test */")
        .bind::<diesel::sql_types::Array<Integer>, _>(vec![1])
        .execute(connection)
        .await?;
    Ok(())
}

/// How many times the lookup's prepared statement ran on its generic and its custom plans.
async fn lookup_plans(connection: &mut AsyncPgConnection) -> (i64, i64) {
    let plans: Plans = diesel::sql_query(
        "SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements \
         WHERE statement LIKE '%/* plan test */'",
    )
    .get_result(connection)
    .await
    .unwrap();
    (plans.generic, plans.custom)
}

async fn plan_cache_mode(connection: &mut AsyncPgConnection) -> kernel::Result<String> {
    let setting: Setting = diesel::sql_query("SELECT current_setting('plan_cache_mode') AS plan_cache_mode")
        .get_result(connection)
        .await?;
    Ok(setting.plan_cache_mode)
}

#[tokio::test]
async fn transactions_and_snapshots_plan_their_statements_once_and_leave_the_connection_as_it_was() {
    let (_database, mut connection) = with_marks().await;
    mark(&mut connection, 1).await.unwrap();

    for _ in 0..8 {
        lookup(&mut connection).await.unwrap();
    }
    assert_eq!(lookup_plans(&mut connection).await, (0, 8), "left to choose, PostgreSQL plans each execution");

    db::transaction(&mut connection, async |connection| {
        assert_eq!(plan_cache_mode(connection).await?, "force_generic_plan");
        lookup(connection).await?;
        db::transaction(connection, async |connection| lookup(connection).await).await
    })
    .await
    .unwrap();
    db::snapshot(&mut connection, async |connection| {
        assert_eq!(plan_cache_mode(connection).await?, "force_generic_plan");
        lookup(connection).await
    })
    .await
    .unwrap();
    assert_eq!(
        lookup_plans(&mut connection).await,
        (3, 8),
        "in a transaction, a savepoint and a snapshot: the plan made once"
    );
    assert_eq!(plan_cache_mode(&mut connection).await.unwrap(), "auto", "the setting ends with its transaction");
}

#[tokio::test]
async fn a_snapshot_only_reads_and_joins_a_callers_transaction() {
    let (database, mut connection) = with_marks().await;

    let written = db::snapshot(&mut connection, async |connection| mark(connection, 1).await).await;
    assert!(written.is_err(), "a snapshot is read-only: {written:?}");
    assert_eq!(marks(&database).await, 0);

    db::transaction(&mut connection, async |connection| {
        mark(connection, 2).await?;
        let before = db::spans::statements_sent();
        let seen = db::snapshot(connection, async |connection| count_marks(connection).await).await?;
        assert_eq!(seen, 1, "inside a transaction it reads that transaction's own writes");
        assert_eq!(db::spans::statements_sent() - before, 1, "and opens nothing of its own");
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(marks(&database).await, 1);
}
