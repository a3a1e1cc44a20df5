//! The crate's jobs: building a large data export, deleting expired ones,
//! and forgetting old webhook ids.

use anyhow::Context;
use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::DataExportId;
use media::Uploads;
use platform::personal_data::Holders;
use serde::{Deserialize, Serialize};

use crate::Settings;
use crate::service::personal_data;
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

/// Builds a data export too large to answer during a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildDataExport {
    /// The export.
    pub export_id: DataExportId,
}

impl TaskHandler for BuildDataExport {
    const IDENTIFIER: &'static str = "accounts_build_data_export";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let holders = context.get_ext::<Holders>().context("the personal data holders are not registered")?;
        let uploads = context.get_ext::<Uploads>().context("media::Uploads are not registered on the worker")?;
        let settings = context.get_ext::<Settings>().context("accounts::Settings are not registered")?;
        let mut connection = resources.connect().await?;
        let now = resources.clock.now();
        personal_data::build(&mut connection, (holders, uploads, settings), self.export_id, now).await?;
        Ok(())
    }
}

/// Deletes the files of data exports past their retention (hourly).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpireDataExports {}

impl ExpireDataExports {
    /// The hourly cron entry.
    pub const CRONTAB: &'static str = "41 * * * * accounts_expire_data_exports ?fill=1h {}";
}

impl TaskHandler for ExpireDataExports {
    const IDENTIFIER: &'static str = "accounts_expire_data_exports";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let expired = personal_data::expire(&mut connection, resources.clock.now()).await?;
        tracing::info!(expired, "expired data exports");
        Ok(())
    }
}
