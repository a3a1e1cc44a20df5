//! Housekeeping jobs every deployment runs on a schedule.

use diesel_async::SimpleAsyncConnection;
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
