//! The worker: runs jobs, recovers crashed workers' jobs, schedules cron jobs.
//!
//! [`options`] turns `[jobs]` ([`crate::Settings`]) into graphile-worker options with crashed-worker
//! recovery on: every worker heartbeats, and a job whose worker stopped
//! heartbeating for `lease_secs` (killed, partitioned) is released and retried.
//! Callers add their job types (`define_job`), cron entries and extensions, then
//! `init().await?.run().await`. SIGTERM stops fetching; in-flight jobs get
//! `shutdown_grace_secs` to finish and are otherwise released for a retry.
//!
//! Jobs are fetched in small batches (a local queue of twice the concurrency):
//! without it graphile-worker claims one job per slot per wake-up, so a backlog
//! committed in one transaction (one NOTIFY) drains at `concurrency` jobs per
//! poll interval. Batched jobs stay locked by this worker; unclaimed ones go back
//! after [`LOCAL_QUEUE_TTL`], and a dead worker's after `lease_secs`.

use std::time::Duration;

use anyhow::Context;

use graphile_worker::tokio_postgres::TokioPostgresDatabase;
use graphile_worker::{LocalQueueConfig, WorkerOptions, WorkerRecoveryConfig};

/// How long a fetched batch may wait in memory before its jobs go back to the table.
pub const LOCAL_QUEUE_TTL: Duration = Duration::from_secs(60);

/// Options of a worker process connected to `database_url`.
pub fn options(settings: &crate::Settings, database_url: &str) -> anyhow::Result<WorkerOptions> {
    let pool_size = usize::try_from(settings.max_connections).unwrap_or(4);
    let database = TokioPostgresDatabase::from_url(database_url, pool_size).context("the worker's database pool")?;
    let recovery = WorkerRecoveryConfig::default()
        .enabled(true)
        .heartbeat_interval(Duration::from_secs(settings.heartbeat_interval_secs))
        .sweep_interval(Duration::from_secs(settings.sweep_interval_secs))
        .sweep_threshold(Duration::from_secs(settings.lease_secs))
        .recovery_delay(Duration::from_secs(settings.recovery_delay_secs));
    let concurrency = settings.concurrency.max(1);
    let batches = LocalQueueConfig::default().with_size(concurrency * 2).with_ttl(LOCAL_QUEUE_TTL);
    Ok(crate::metrics::observe(WorkerOptions::default())
        .database(database)
        .schema("graphile_worker")
        .concurrency(concurrency)
        .local_queue(batches)
        .poll_interval(Duration::from_millis(settings.poll_interval_ms))
        .worker_recovery(recovery)
        .shutdown_grace_period(Duration::from_secs(settings.shutdown_grace_secs)))
}
