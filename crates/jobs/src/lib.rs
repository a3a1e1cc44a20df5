//! Durable background jobs on Postgres, the one way any crate does work later.
//!
//! Built on [`graphile_worker`] (its own `graphile_worker` schema, workers that
//! claim with `FOR UPDATE SKIP LOCKED`, wake on `LISTEN/NOTIFY`, retry with
//! exponential backoff and keep failed jobs with their last error); this crate
//! is the thin typed layer the others use, through the queue's public API only:
//! - [`enqueue()`]: add a job *inside the caller's transaction*, so a rolled-back
//!   change enqueues nothing and a committed one cannot lose its side effect;
//!   [`cancel()`] removes pending jobs by their unique key the same way;
//!   [`publish()`] adds an [`Event`] a higher crate reacts to; a [`Batch`]
//!   gathers the jobs of several kinds one transaction adds, for one statement;
//! - [`worker`]: the worker process (`gateway worker`), with crashed-worker
//!   recovery (a job whose worker died is retried after its lease), cron, and
//!   graceful shutdown; [`Settings`] is its `[jobs]` section;
//! - [`service`] and [`handlers`]: queue depth, dead jobs, retry and discard,
//!   for platform admins;
//! - [`jobs`]: housekeeping run on a schedule.
//!
//! A job is a serde struct implementing [`graphile_worker::TaskHandler`] whose
//! `async fn run` returns [`JobResult`]: any error (`anyhow` with context, a
//! service's `kernel::Error`) converts with `?`, is retried with backoff, and
//! is kept as the job's last error: its context chain on one line, never a
//! backtrace. Handlers must be idempotent, because delivery is at least once.
//! They reach the pool and the clock through [`Resources::of`].

pub mod api;
pub mod enqueue;
pub mod handlers;
pub mod jobs;
pub mod metrics;
pub mod service;
mod settings;
pub mod worker;

use anyhow::Context;
pub use enqueue::{Batch, EnqueueOptions, Event, cancel, enqueue, enqueue_each, install, publish};
pub use graphile_worker::{TaskHandler, WorkerContext, WorkerContextExt};
use kernel::Clock;
use platform::Routes;
pub use settings::Settings;

/// A job's failure, kept by the queue as the job's last error: the context
/// chain on one line (`{:#}`), without the backtrace `anyhow` may carry.
pub struct JobError(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for JobError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl std::fmt::Debug for JobError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:#}", self.0)
    }
}

/// What a job handler answers.
pub type JobResult = Result<(), JobError>;

/// What job handlers reach through [`Resources::of`].
#[derive(Clone)]
pub struct Resources {
    /// The shared Postgres pool.
    pub db: db::Pool,
    /// The shared Redis pool (real-time events from jobs).
    pub redis: deadpool_redis::Pool,
    /// How long one Redis command may take.
    pub redis_timeout: std::time::Duration,
    /// The clock "now" comes from (tests move it).
    pub clock: Clock,
}

impl Resources {
    /// The pools and clock of a process's state.
    pub fn of_state(state: &platform::AppState) -> Self {
        Self {
            db: state.db().clone(),
            redis: state.redis().clone(),
            redis_timeout: std::time::Duration::from_millis(state.settings().redis.command_timeout_ms),
            clock: state.clock().clone(),
        }
    }

    /// The resources registered on the worker running `context`.
    pub fn of(context: &WorkerContext) -> anyhow::Result<&Self> {
        context.get_ext::<Self>().context("jobs::Resources are not registered on the worker")
    }

    /// A pooled connection.
    pub async fn connect(&self) -> anyhow::Result<db::Connection> {
        db::connect(&self.db).await.context("a database connection for a job")
    }
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Resources").finish_non_exhaustive()
    }
}

/// Adds this crate's housekeeping jobs and their schedules to a worker.
pub fn worker_options(options: graphile_worker::WorkerOptions) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::PrepareAuditPartitions>()
        .with_cron(jobs::PrepareAuditPartitions::CRONTAB)?
        .define_job::<jobs::PurgeIdempotencyKeys>()
        .with_cron(jobs::PurgeIdempotencyKeys::CRONTAB)?)
}

/// Mounts the admin endpoints.
pub fn routes(routes: &mut Routes) {
    routes
        .service(handlers::queue_stats)
        .service(handlers::dead_jobs)
        .service(handlers::retry_job)
        .service(handlers::discard_job);
}
