//! The crate's jobs: a campaign starting at its time, and each of its
//! batches (see [`crate::service::sending`]).

use anyhow::Context;
use chrono::{DateTime, Utc};
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::{EnqueueOptions, Resources};
use kernel::CampaignId;
use serde::{Deserialize, Serialize};

use crate::Settings;
use crate::service::sending;

/// Chooses a scheduled campaign's recipients and enqueues its batches.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartCampaign {
    /// The campaign.
    pub campaign_id: CampaignId,
}

impl StartCampaign {
    /// The job starting `campaign` at `send_at` (rescheduling replaces it).
    pub fn at(campaign: CampaignId, send_at: DateTime<Utc>) -> (Self, EnqueueOptions) {
        let options = EnqueueOptions {
            run_at: Some(send_at),
            unique_key: Some(Self::key(campaign)),
            ..EnqueueOptions::default()
        };
        (Self { campaign_id: campaign }, options)
    }

    /// Its unique key, to replace or cancel it.
    pub fn key(campaign: CampaignId) -> String {
        format!("campaign:{campaign}")
    }
}

impl TaskHandler for StartCampaign {
    const IDENTIFIER: &'static str = "outreach_start_campaign";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let settings = context.get_ext::<Settings>().context("outreach::Settings are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let recipients = sending::start(&mut connection, settings, self.campaign_id, resources.clock.now()).await?;
        tracing::info!(campaign_id = %self.campaign_id, recipients, "campaign started");
        Ok(())
    }
}

/// Sends one batch of a campaign.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendCampaignBatch {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The batch.
    pub batch: i32,
}

impl SendCampaignBatch {
    /// The job sending `batch` of `campaign` at `run_at`.
    pub fn at(campaign: CampaignId, batch: i32, run_at: DateTime<Utc>) -> (Self, EnqueueOptions) {
        (Self { campaign_id: campaign, batch }, EnqueueOptions { run_at: Some(run_at), ..EnqueueOptions::default() })
    }
}

impl TaskHandler for SendCampaignBatch {
    const IDENTIFIER: &'static str = "outreach_send_campaign_batch";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let settings = context.get_ext::<Settings>().context("outreach::Settings are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        sending::send_batch(&mut connection, settings, self.campaign_id, self.batch, resources.clock.now()).await?;
        Ok(())
    }
}
