//! Housekeeping: notifications past their retention period go, with their
//! delivery log, and so do finished webhook deliveries (daily).

use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use serde::{Deserialize, Serialize};

use crate::Settings;

/// Deletes notifications older than `retention_days` whose deliveries are all
/// finished (a delivery still waiting keeps its notification), and finished
/// webhook deliveries as old, with their attempts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeOldNotifications {
    /// `notifications.retention_days`.
    pub retention_days: i32,
}

impl PurgeOldNotifications {
    /// The daily cron entry for `settings` (03:45 UTC).
    pub fn crontab(settings: &Settings) -> String {
        let payload = serde_json::json!({ "retention_days": settings.retention_days });
        format!("45 3 * * * {} ?fill=1d {payload}", Self::IDENTIFIER)
    }
}

impl TaskHandler for PurgeOldNotifications {
    const IDENTIFIER: &'static str = "purge_old_notifications";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let before = resources.clock.now() - chrono::Duration::days(i64::from(self.retention_days.max(1)));
        let purged = diesel::sql_query(
            "DELETE FROM notifications n WHERE n.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM notification_deliveries d \
                             WHERE d.notification_id = n.id AND d.status = 'pending')",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(before)
        .execute(&mut connection)
        .await?;
        let webhook_deliveries =
            diesel::sql_query("DELETE FROM outbound_webhook_deliveries WHERE created_at < $1 AND status <> 'pending'")
                .bind::<diesel::sql_types::Timestamptz, _>(before)
                .execute(&mut connection)
                .await?;
        tracing::info!(purged, webhook_deliveries, "purged notifications and webhook deliveries past their retention");
        Ok(())
    }
}
