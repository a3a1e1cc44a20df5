//! Housekeeping jobs every deployment runs on a schedule.

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use serde::{Deserialize, Serialize};

use crate::Resources;

/// Creates the next two months' `audit_log` partitions ahead of time, so rows
/// never land in the default partition (daily; idempotent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrepareAuditPartitions {}

impl TaskHandler for PrepareAuditPartitions {
    const IDENTIFIER: &'static str = "prepare_audit_partitions";

    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        prepare_audit_partitions(context)
    }
}

async fn prepare_audit_partitions(context: WorkerContext) -> Result<(), String> {
    let resources = context.get_ext::<Resources>().ok_or("job resources are not registered")?;
    let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
    connection
        .batch_execute(
            "DO $$
                 DECLARE month date;
                 BEGIN
                   FOR offset_months IN 1..2 LOOP
                     month := date_trunc('month', now() + make_interval(months => offset_months))::date;
                     EXECUTE format(
                       'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                       'audit_log_' || to_char(month, 'YYYY_MM'), month, (month + interval '1 month')::date);
                   END LOOP;
                 END $$;",
        )
        .await
        .map_err(|error| error.to_string())?;
    Ok(())
}

/// Deletes processed webhook ids (the redelivery deduplication keys) older
/// than the retention period, and idempotency keys older than a day (daily).
/// Graphile-worker deletes completed jobs itself; dead jobs stay until an
/// admin retries or discards them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeExpired {
    /// Days a processed webhook id is kept (`jobs.webhook_retention_days`).
    pub webhook_retention_days: i32,
}

impl PurgeExpired {
    /// The daily cron entry for `settings` (03:30 UTC).
    pub fn crontab(settings: &platform::config::JobsSettings) -> String {
        let payload = serde_json::json!({ "webhook_retention_days": settings.webhook_retention_days });
        format!("30 3 * * * {} ?fill=1d {payload}", Self::IDENTIFIER)
    }
}

impl TaskHandler for PurgeExpired {
    const IDENTIFIER: &'static str = "purge_expired";

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("job resources are not registered")?;
            let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
            let purged = diesel::sql_query(
                "DELETE FROM webhook_deliveries WHERE received_at < now() - make_interval(days => $1)",
            )
            .bind::<diesel::sql_types::Integer, _>(self.webhook_retention_days.max(1))
            .execute(&mut connection)
            .await
            .map_err(|error| error.to_string())?;
            tracing::info!(purged, "purged expired webhook ids");
            let purged = diesel::sql_query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'")
                .execute(&mut connection)
                .await
                .map_err(|error| error.to_string())?;
            tracing::info!(purged, "purged expired idempotency keys");
            Ok::<(), String>(())
        }
    }
}
