//! Housekeeping every deployment runs on a schedule ([`crate::worker_options`]
//! registers them).

use diesel_async::SimpleAsyncConnection;
use graphile_worker::{TaskHandler, WorkerContext};
use serde::{Deserialize, Serialize};

use crate::Resources;

/// Creates the next two months' `audit_log` partitions ahead of time, so rows
/// never land in the default partition (daily; idempotent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrepareAuditPartitions {}

impl PrepareAuditPartitions {
    /// Daily at 03:00 UTC; a missed day runs on start.
    pub const CRONTAB: &'static str = "0 3 * * * prepare_audit_partitions ?fill=1d {}";
}

impl TaskHandler for PrepareAuditPartitions {
    const IDENTIFIER: &'static str = "prepare_audit_partitions";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> crate::JobResult {
        let mut connection = Resources::of(&context)?.connect().await?;
        connection.batch_execute(platform::audit::PREPARE_PARTITIONS).await?;
        Ok(())
    }
}

/// Forgets idempotency keys older than a day (daily). Graphile-worker deletes
/// completed jobs itself; dead jobs stay until an admin retries or discards them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeIdempotencyKeys {}

impl PurgeIdempotencyKeys {
    /// Daily at 03:30 UTC.
    pub const CRONTAB: &'static str = "30 3 * * * purge_idempotency_keys ?fill=1d {}";
}

impl TaskHandler for PurgeIdempotencyKeys {
    const IDENTIFIER: &'static str = "purge_idempotency_keys";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> crate::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let purged = platform::idempotency::purge_expired(&mut connection, resources.clock.now()).await?;
        tracing::info!(purged, "purged expired idempotency keys");
        Ok(())
    }
}
