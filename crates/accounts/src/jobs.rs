//! The crate's housekeeping job.

use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use serde::{Deserialize, Serialize};

use crate::Settings;
use db::schema::webhook_deliveries;

/// Forgets processed webhook ids older than `webhook_retention_days` (daily):
/// the provider stops redelivering long before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeWebhookDeliveries {
    /// `accounts.webhook_retention_days`.
    pub retention_days: i32,
}

impl PurgeWebhookDeliveries {
    /// The daily cron entry for `settings` (03:30 UTC).
    pub fn crontab(settings: &Settings) -> String {
        let payload = serde_json::json!({ "retention_days": settings.webhook_retention_days });
        format!("30 3 * * * {} ?fill=1d {payload}", Self::IDENTIFIER)
    }
}

impl TaskHandler for PurgeWebhookDeliveries {
    const IDENTIFIER: &'static str = "purge_webhook_deliveries";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let before = resources.clock.now() - Duration::days(i64::from(self.retention_days.max(1)));
        let purged = diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::received_at.lt(before)))
            .execute(&mut connection)
            .await?;
        tracing::info!(purged, "purged expired webhook ids");
        Ok(())
    }
}
