//! `db::Pool`: a connection handed back at once is reused without a round
//! trip, one idle for longer is verified first, and one the server closed or
//! one dropped in the middle of a statement never serves another caller.

use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::Integer;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use testkit::TestDb;

#[derive(QueryableByName)]
struct Backend {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

fn pool(database: &TestDb, verify_idle_after: Duration) -> db::Pool {
    db::build_pool(&db::PoolSettings {
        url: database.url().to_owned(),
        max_size: 1,
        wait_timeout: Duration::from_secs(2),
        create_timeout: Duration::from_secs(2),
        recycle_timeout: Duration::from_secs(1),
        verify_idle_after,
        statement_timeout: Duration::from_secs(5),
    })
    .unwrap()
}

/// The backend serving a connection checked out of `pool`, and the statements
/// the checkout itself sent.
async fn checkout(pool: &db::Pool) -> (i32, u64) {
    let before = db::spans::statements_sent();
    let mut connection = db::connect(pool).await.unwrap();
    let checking = db::spans::statements_sent() - before;
    let backend: Backend =
        diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(&mut *connection).await.unwrap();
    (backend.pid, checking)
}

#[tokio::test]
async fn a_connection_back_at_once_is_reused_without_a_check_and_an_idle_one_is_verified() {
    let database = TestDb::new().await;
    let pool = pool(&database, Duration::from_millis(300));
    let (first, _) = checkout(&pool).await;
    let (again, checking) = checkout(&pool).await;
    assert_eq!((again, checking), (first, 0), "reused at once: the same backend, no statement");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (after_idle, checking) = checkout(&pool).await;
    assert_eq!((after_idle, checking), (first, 1), "idle past the window: one SELECT 1 first");
}

#[tokio::test]
async fn a_connection_dropped_in_the_middle_of_a_statement_is_closed_not_reused() {
    let database = TestDb::new().await;
    let pool = pool(&database, Duration::from_secs(60));
    let (first, _) = checkout(&pool).await;
    let cut_off = tokio::time::timeout(Duration::from_millis(100), async {
        let mut connection = db::connect(&pool).await.unwrap();
        connection.batch_execute("SELECT pg_sleep(5)").await
    })
    .await;
    assert!(cut_off.is_err(), "the sleep was cut off by the timeout");
    let (next, _) = checkout(&pool).await;
    assert_ne!(next, first, "the next caller gets a new backend, not the one still sleeping");
    // Closing the socket ends the abandoned backend well before its statement would.
    let mut admin = database.connect().await;
    let gone = async {
        loop {
            let alive: Vec<Backend> = diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE pid = $1")
                .bind::<Integer, _>(first)
                .load(&mut admin)
                .await
                .unwrap();
            if alive.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(3), gone).await.expect("the abandoned backend ended");
}

#[tokio::test]
async fn a_terminated_backend_is_replaced_without_a_failed_checkout() {
    let database = TestDb::new().await;
    let pool = pool(&database, Duration::from_secs(60));
    let (first, _) = checkout(&pool).await;
    let mut admin = database.connect().await;
    admin.batch_execute(&format!("SELECT pg_terminate_backend({first})")).await.unwrap();
    // The server's goodbye reaches the connection's task; no statement is needed to see it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (next, checking) = checkout(&pool).await;
    assert_ne!(next, first);
    assert_eq!(checking, 0, "the closed one is known without a check");
}
