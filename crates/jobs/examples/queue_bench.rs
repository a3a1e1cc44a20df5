//! Queue throughput and enqueue-to-start latency, for `make bench`.
//!
//! `cargo run --release -p jobs --example queue_bench -- <database-url>`: a
//! no-op job, 10 000 enqueued in one transaction then drained by one worker
//! (concurrency 8), and 300 jobs enqueued one at a time whose start delays are
//! reported at p50/p99.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::manual_async_fn,
    reason = "a benchmark program; handlers keep the trait's exact signature"
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use jobs::{EnqueueOptions, enqueue};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Noop {}

impl TaskHandler for Noop {
    const IDENTIFIER: &'static str = "bench_noop";
    fn run(self, _context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async {}
    }
}

/// Start delays (enqueue → handler start) of the latency phase.
#[derive(Debug, Clone, Default)]
struct Delays(Arc<Mutex<Vec<Duration>>>);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Timed {}

impl TaskHandler for Timed {
    const IDENTIFIER: &'static str = "bench_timed";
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let delay = (chrono::Utc::now() - *context.job().created_at()).to_std().unwrap_or_default();
            if let Some(delays) = context.get_ext::<Delays>() {
                delays.0.lock().unwrap().push(delay);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).expect("usage: queue_bench <database-url>");
    jobs::install(&url).await.unwrap();
    let mut connection = AsyncPgConnection::establish(&url).await.unwrap();
    connection
        .batch_execute(
            "SELECT graphile_worker.complete_jobs(array(SELECT id FROM graphile_worker.jobs \
             WHERE task_identifier LIKE 'bench_%'))",
        )
        .await
        .unwrap();

    let total = 10_000;
    db::transaction(&mut connection, async |connection| {
        for _ in 0..total {
            enqueue(connection, &Noop {}, EnqueueOptions::default()).await?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let settings = jobs::Settings {
        concurrency: 8,
        max_connections: 8,
        poll_interval_ms: 1000,
        heartbeat_interval_secs: 30,
        sweep_interval_secs: 60,
        lease_secs: 300,
        recovery_delay_secs: 30,
        shutdown_grace_secs: 5,
    };
    let delays = Delays::default();
    let worker = jobs::worker::options(&settings, &url)
        .unwrap()
        .listen_os_shutdown_signals(false)
        .add_extension(delays.clone())
        .define_job::<Noop>()
        .define_job::<Timed>()
        .init()
        .await
        .unwrap();
    let worker = Arc::new(worker);
    let started = Instant::now();
    let running = tokio::spawn({
        let worker = worker.clone();
        async move { worker.run().await }
    });
    wait_until_drained(&mut connection).await;
    let drained = started.elapsed();
    println!(
        "queue throughput (no-op, 1 worker x 8): {:.0} jobs/s ({total} in {drained:.2?})",
        f64::from(total) / drained.as_secs_f64()
    );

    for _ in 0..300 {
        enqueue(&mut connection, &Timed {}, EnqueueOptions::default()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    wait_until_drained(&mut connection).await;
    let mut delays = delays.0.lock().unwrap().clone();
    delays.sort();
    let percentile = |p: usize| delays.get(delays.len() * p / 100).copied().unwrap_or_default();
    println!(
        "enqueue-to-start latency: p50 {:.2?}, p99 {:.2?} ({} jobs)",
        percentile(50),
        percentile(99),
        delays.len()
    );
    worker.request_shutdown();
    let _ = running.await;
}

/// Waits for an empty queue; gives up when nothing moved for 15 s.
async fn wait_until_drained(connection: &mut AsyncPgConnection) {
    let (mut last, mut last_change) = (i64::MAX, Instant::now());
    loop {
        let left = pending(connection).await;
        if left == 0 {
            return;
        }
        if left != last {
            (last, last_change) = (left, Instant::now());
        }
        assert!(last_change.elapsed() < Duration::from_secs(15), "the queue stalled with {left} jobs left");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn pending(connection: &mut AsyncPgConnection) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    diesel::sql_query("SELECT count(*) AS count FROM graphile_worker._private_jobs")
        .get_result::<Count>(connection)
        .await
        .unwrap()
        .count
}
