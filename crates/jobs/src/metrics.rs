//! The queue's Prometheus series: `jobs_running`, `job_duration_seconds` and
//! `jobs_completed_total` / `jobs_failed_total` / `jobs_dead_total` by task,
//! recorded by the worker's lifecycle hooks ([`observe`]); and `jobs` by task
//! and state (queued, scheduled, retrying, running, dead), read from the queue
//! at each scrape ([`sampler`]).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use graphile_worker::{JobComplete, JobFail, JobInterrupted, JobPermanentlyFail, JobStart, WorkerOptions};
use platform::metrics::Sampler;

/// Adds the hooks recording every job's run to `options`.
pub fn observe(options: WorkerOptions) -> WorkerOptions {
    options
        .on(JobStart, |_| async { metrics::gauge!("jobs_running").increment(1.0) })
        .on(JobComplete, |context| async move {
            let task = context.job.task_identifier().clone();
            metrics::gauge!("jobs_running").decrement(1.0);
            metrics::histogram!("job_duration_seconds", "task" => task.clone()).record(context.duration.as_secs_f64());
            metrics::counter!("jobs_completed_total", "task" => task).increment(1);
        })
        .on(JobFail, |context| async move {
            metrics::gauge!("jobs_running").decrement(1.0);
            metrics::counter!("jobs_failed_total", "task" => context.job.task_identifier().clone()).increment(1);
        })
        .on(JobInterrupted, |_| async { metrics::gauge!("jobs_running").decrement(1.0) })
        .on(JobPermanentlyFail, |context| async move {
            metrics::counter!("jobs_dead_total", "task" => context.job.task_identifier().clone()).increment(1);
        })
}

/// Sets `jobs{task, state}` from the queue before each scrape; a pair that
/// emptied since the last scrape goes back to 0.
pub fn sampler() -> Sampler {
    let seen: Arc<Mutex<HashSet<(String, String)>>> = Arc::default();
    Arc::new(move |state: platform::AppState| {
        let seen = Arc::clone(&seen);
        Box::pin(async move {
            let Ok(mut connection) = db::connect(state.db()).await else { return };
            let depths = match crate::service::depth(&mut connection).await {
                Ok(depths) => depths,
                Err(error) => return tracing::warn!(%error, "reading the queue's depth for metrics failed"),
            };
            let Ok(mut seen) = seen.lock() else { return };
            let now: HashSet<(String, String)> =
                depths.iter().map(|depth| (depth.kind.clone(), depth.state.clone())).collect();
            for (task, job_state) in seen.difference(&now) {
                metrics::gauge!("jobs", "task" => task.clone(), "state" => job_state.clone()).set(0.0);
            }
            for depth in depths {
                let count = depth.count as f64;
                metrics::gauge!("jobs", "task" => depth.kind, "state" => depth.state).set(count);
            }
            *seen = now;
        })
    })
}
