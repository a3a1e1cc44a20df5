//! Housekeeping: notifications past their retention period go, with their
//! delivery log (daily).

use diesel_async::RunQueryDsl;
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use jobs::Resources;
use platform::config::NotificationSettings;
use serde::{Deserialize, Serialize};

/// Deletes notifications older than `retention_days` whose deliveries are all
/// finished (a delivery still waiting keeps its notification).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeOldNotifications {
    /// `notifications.retention_days`.
    pub retention_days: i32,
}

impl PurgeOldNotifications {
    /// The daily cron entry for `settings` (03:45 UTC).
    pub fn crontab(settings: &NotificationSettings) -> String {
        let payload = serde_json::json!({ "retention_days": settings.retention_days });
        format!("45 3 * * * {} ?fill=1d {payload}", Self::IDENTIFIER)
    }
}

impl TaskHandler for PurgeOldNotifications {
    const IDENTIFIER: &'static str = "purge_old_notifications";

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("job resources are not registered")?;
            let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
            let purged = diesel::sql_query(
                "DELETE FROM notifications n WHERE n.created_at < now() - make_interval(days => $1) \
                 AND NOT EXISTS (SELECT 1 FROM notification_deliveries d \
                                 WHERE d.notification_id = n.id AND d.status = 'pending')",
            )
            .bind::<diesel::sql_types::Integer, _>(self.retention_days.max(1))
            .execute(&mut connection)
            .await
            .map_err(|error| error.to_string())?;
            tracing::info!(purged, "purged notifications past their retention");
            Ok::<(), String>(())
        }
    }
}
