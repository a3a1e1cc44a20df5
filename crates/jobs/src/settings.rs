//! `[jobs]`: how a worker process runs (`gateway worker`).

use serde::Deserialize;

/// Background job workers.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Jobs one worker process runs at the same time.
    pub concurrency: usize,
    /// Postgres connections of one worker process (plus one for LISTEN).
    pub max_connections: u32,
    /// Milliseconds between polls when no notification arrived.
    pub poll_interval_ms: u64,
    /// Seconds between a worker's liveness heartbeats.
    pub heartbeat_interval_secs: u64,
    /// Seconds between sweeps for dead workers.
    pub sweep_interval_secs: u64,
    /// Seconds without a heartbeat after which a worker counts as dead and its
    /// jobs are released: the lease of a job.
    pub lease_secs: u64,
    /// Seconds before a released job runs again.
    pub recovery_delay_secs: u64,
    /// Seconds in-flight jobs get to finish on SIGTERM before they are released.
    pub shutdown_grace_secs: u64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "jobs";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.concurrency == 0 || self.max_connections == 0 {
            return Err("concurrency and max_connections must be at least 1".to_owned());
        }
        if self.lease_secs <= self.heartbeat_interval_secs {
            return Err("lease_secs must be longer than heartbeat_interval_secs".to_owned());
        }
        Ok(())
    }
}
