//! Test jobs, a test worker in a runtime of its own (so it can be crashed), and
//! the `job_effects` table where handlers record what they did.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext, WorkerOptions};
use jobs::Resources;
use serde::{Deserialize, Serialize};

/// Creates the table test handlers write their effects to.
pub async fn create_effects_table(connection: &mut AsyncPgConnection) {
    connection.batch_execute("CREATE TABLE job_effects (kind text NOT NULL, n bigint NOT NULL)").await.unwrap();
}

async fn record(context: &WorkerContext, kind: &str, n: i64) -> Result<(), String> {
    let resources = context.get_ext::<Resources>().ok_or("no resources")?;
    let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
    diesel::sql_query("INSERT INTO job_effects (kind, n) VALUES ($1, $2)")
        .bind::<Text, _>(kind)
        .bind::<BigInt, _>(n)
        .execute(&mut connection)
        .await
        .map_err(|error| error.to_string())?;
    Ok(())
}

/// How many runs of job `n` have started (recovery resets the attempt count,
/// so the attempt number cannot tell a first run from a retry).
async fn started_before(context: &WorkerContext, n: i64) -> Result<i64, String> {
    let resources = context.get_ext::<Resources>().ok_or("no resources")?;
    let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
    let started = diesel::sql_query("SELECT count(*) AS count FROM job_effects WHERE kind = 'started' AND n = $1")
        .bind::<BigInt, _>(n)
        .get_result::<Count>(&mut connection)
        .await
        .map_err(|error| error.to_string())?;
    Ok(started.count)
}

/// Records one effect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordEffect {
    pub n: i64,
}

impl TaskHandler for RecordEffect {
    const IDENTIFIER: &'static str = "test_record_effect";
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move { record(&context, "record", self.n).await }
    }
}

/// A provider that always refuses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlwaysFails {}

impl TaskHandler for AlwaysFails {
    const IDENTIFIER: &'static str = "test_always_fails";
    fn run(self, _context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async { Err::<(), _>(jobs::JobError::from(anyhow::anyhow!("the provider answered 503"))) }
    }
}

/// Hangs on its first run (the worker is then killed); records on the next.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StuckOnFirstAttempt {
    pub n: i64,
}

impl TaskHandler for StuckOnFirstAttempt {
    const IDENTIFIER: &'static str = "test_stuck_on_first_attempt";
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            record(&context, "started", self.n).await?;
            if started_before(&context, self.n).await? == 1 {
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            record(&context, "stuck", self.n).await
        }
    }
}

/// A cron job; records the tick it was scheduled for. (Cron adds a `_cron`
/// field to the payload, so this struct must not deny unknown fields.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tick {}

impl TaskHandler for Tick {
    const IDENTIFIER: &'static str = "test_tick";
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        // A cron job is scheduled to run at its tick.
        async move { record(&context, "tick", context.job().run_at().timestamp()).await }
    }
}

/// Worker settings with a short lease so crash recovery fits in a test.
pub fn fast_settings() -> jobs::Settings {
    jobs::Settings {
        concurrency: 8,
        max_connections: 4,
        poll_interval_ms: 100,
        heartbeat_interval_secs: 1,
        sweep_interval_secs: 1,
        lease_secs: 2,
        recovery_delay_secs: 0,
        shutdown_grace_secs: 5,
    }
}

enum Stop {
    Graceful,
    Crash,
}

/// A worker in a thread and Tokio runtime of its own.
pub struct TestWorker {
    stop: Option<tokio::sync::oneshot::Sender<Stop>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestWorker {
    /// Starts a worker on `database_url` running the jobs `register` defines.
    pub fn start(database_url: &str, register: fn(WorkerOptions) -> WorkerOptions) -> Self {
        Self::start_with(database_url, fast_settings(), register)
    }

    /// Starts a worker with `settings` instead of the fast test settings.
    pub fn start_with(
        database_url: &str,
        settings: jobs::Settings,
        register: fn(WorkerOptions) -> WorkerOptions,
    ) -> Self {
        let url = database_url.to_owned();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let shared = testkit::test_settings();
                let mut pool_settings = shared.database.pool_settings();
                pool_settings.url = url.clone();
                let resources = Resources {
                    db: db::build_pool(&pool_settings).unwrap(),
                    redis: platform::cache::build_pool(&shared.redis).unwrap(),
                    redis_timeout: std::time::Duration::from_secs(1),
                    clock: kernel::Clock::system(),
                };
                let options = jobs::worker::options(&settings, &url)
                    .unwrap()
                    .listen_os_shutdown_signals(false)
                    .add_extension(resources);
                let worker = std::sync::Arc::new(register(options).init().await.unwrap());
                let running = tokio::spawn({
                    let worker = worker.clone();
                    async move { worker.run().await }
                });
                match stopped.await {
                    Ok(Stop::Graceful) | Err(_) => {
                        worker.request_shutdown();
                        let _ = running.await;
                    }
                    // Leave everything as a killed process would: locks held, no cleanup.
                    Ok(Stop::Crash) => std::mem::forget(worker),
                }
            });
            runtime.shutdown_background();
        });
        Self { stop: Some(stop), thread: Some(thread) }
    }

    /// Stops like SIGKILL: nothing is released, heartbeats just stop.
    pub fn crash(mut self) {
        self.finish(Stop::Crash);
    }

    fn finish(&mut self, how: Stop) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(how);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestWorker {
    fn drop(&mut self) {
        self.finish(Stop::Graceful);
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Runs a `SELECT count(*) ... AS count` query.
pub async fn count(connection: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(connection).await.unwrap().count
}

/// Waits until `sql` counts `expected`, for at most `limit`.
pub async fn wait_for_count(connection: &mut AsyncPgConnection, sql: &str, expected: i64, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let actual = count(connection, sql).await;
        if actual == expected {
            return;
        }
        assert!(Instant::now() < deadline, "`{sql}` is {actual}, expected {expected}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
