//! `db::transaction` and `db::all_or_nothing`: all or nothing alone, no
//! savepoint inside a caller's transaction, and a failure there that the
//! caller swallows still cannot be committed.

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

async fn marks(database: &TestDb) -> i64 {
    let mut connection = database.connect().await;
    let counted: Count =
        diesel::sql_query("SELECT count(*) AS count FROM marks").get_result(&mut connection).await.unwrap();
    counted.count
}

#[tokio::test]
async fn all_or_nothing_is_a_transaction_alone_and_joins_a_callers_without_a_savepoint() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    connection.set_instrumentation(db::spans::QuerySpans::default());
    diesel::sql_query("CREATE TABLE marks (n int PRIMARY KEY)").execute(&mut connection).await.unwrap();

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
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    diesel::sql_query("CREATE TABLE marks (n int PRIMARY KEY)").execute(&mut connection).await.unwrap();
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
