//! Durable background jobs on Postgres, the one way any crate does work later.
//!
//! Built on [`graphile_worker`] (its own `graphile_worker` schema, workers that
//! claim with `FOR UPDATE SKIP LOCKED`, wake on `LISTEN/NOTIFY`, retry with
//! exponential backoff and keep failed jobs with their last error); this crate
//! is the thin typed layer the others use:
//! - [`enqueue()`]: add a job *inside the caller's transaction*, so a rolled-back
//!   change enqueues nothing and a committed one cannot lose its side effect;
//!   [`cancel()`] removes pending jobs by their unique key the same way;
//! - [`worker`]: the worker process (`gateway worker`), with crashed-worker
//!   recovery (a job whose worker died is retried after its lease), cron, and
//!   graceful shutdown;
//! - [`admin`]: queue depth, dead jobs, retry and discard, for platform admins;
//! - [`maintenance`]: housekeeping run on a schedule.
//!
//! A job is a serde struct implementing [`graphile_worker::TaskHandler`]; its
//! handler must be idempotent, because delivery is at least once.

pub mod admin;
pub mod enqueue;
pub mod handlers;
pub mod maintenance;
pub mod worker;

pub use enqueue::{EnqueueOptions, cancel, enqueue, enqueue_each, install};
pub use graphile_worker::{TaskHandler, WorkerContext, WorkerContextExt};

/// What job handlers reach through `context.get_ext::<Resources>()`.
#[derive(Clone)]
pub struct Resources {
    /// The shared Postgres pool.
    pub db: db::Pool,
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Resources").finish_non_exhaustive()
    }
}

use platform::Routes;

/// Mounts the admin endpoints.
pub fn routes(routes: &mut Routes) {
    routes
        .service(handlers::queue_stats)
        .service(handlers::dead_jobs)
        .service(handlers::retry_job)
        .service(handlers::discard_job);
}
