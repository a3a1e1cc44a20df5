//! Running background jobs in a test: a worker over the test's database that
//! runs whatever is due once, and a way to make scheduled jobs due now.

use std::time::Duration;

use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

use crate::app::TestApp;

/// Worker options over `app`'s database, with [`jobs::Resources`] sharing the
/// App's pool and clock; add the crates' jobs, then pass them to [`run_due_jobs`].
pub fn worker_options(app: &TestApp) -> graphile_worker::WorkerOptions {
    jobs::worker::options(&app.section(), app.db.url())
        .expect("worker options")
        .listen_os_shutdown_signals(false)
        .add_extension(jobs::Resources::of_state(&app.state))
}

/// Runs every job that is due once (no waiting for retries or schedules).
pub async fn run_due_jobs(options: graphile_worker::WorkerOptions) {
    let worker = options.init().await.expect("start the worker");
    tokio::time::timeout(Duration::from_secs(30), worker.run_once())
        .await
        .expect("due jobs finish within 30 s")
        .expect("the worker runs");
}

/// Makes every waiting job due now (skips schedules and retry backoff),
/// through the queue's public `reschedule_jobs`.
pub async fn make_jobs_due(connection: &mut AsyncPgConnection) {
    make_due(connection, "true").await;
}

/// Makes the waiting jobs whose unique key matches the `LIKE` pattern `key` due now.
pub async fn make_jobs_due_with_key(connection: &mut AsyncPgConnection, key: &str) {
    make_due(connection, &format!("key LIKE '{}'", key.replace('\'', "''"))).await;
}

async fn make_due(connection: &mut AsyncPgConnection, condition: &str) {
    connection
        .batch_execute(&format!(
            "SELECT graphile_worker.reschedule_jobs(array(SELECT id FROM graphile_worker.jobs WHERE {condition}), \
             run_at => now() - interval '1 second')"
        ))
        .await
        .expect("make the jobs due");
}
