//! Sending a campaign, as its jobs do it.
//!
//! [`start`] (at the campaign's `send_at`) chooses its recipients once (a
//! campaign whose audience grew past `[outreach] max_audience` goes back to
//! draft instead): the
//! clients its audience matches then who opted in to marketing, frozen into
//! `campaign_recipients` in one statement, numbered into batches of
//! `[outreach] batch_size`; and enqueues one job per batch, spaced
//! `batch_interval_secs` apart, in one more. Its time and memory grow with
//! the audience only through those arrays of ids: a fixed number of
//! statements, whatever the size.
//!
//! [`send_batch`] sends one batch through `notifications::notify_each` (the
//! recipient's channels, marketing consent checked again, quiet hours
//! respected), each notice carrying the recipient's unsubscribe link; a
//! recipient already sent is skipped, so a batch run twice sends once.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Timestamptz, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::EnqueueOptions;
use kernel::{CampaignId, NotificationId, UserId};
use notifications::{Category, Notification, Template};
use serde_json::json;

use crate::api::CampaignStatus;
use crate::jobs::SendCampaignBatch;
use crate::models::Campaign;
use crate::{Settings, audience, unsubscribe};
use db::schema::{campaign_recipients, campaigns};

/// Starts sending `id` if it is still scheduled; answers the recipients.
pub async fn start(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    id: CampaignId,
    now: DateTime<Utc>,
) -> kernel::Result<usize> {
    db::transaction(connection, async |connection| {
        let campaign = campaigns::table.find(id).select(Campaign::as_select()).for_update().first(connection).await;
        let Some(campaign) = campaign.optional()? else { return Ok(0) };
        // Cancelled, already started, or moved later while this job waited.
        if campaign.status != CampaignStatus::Scheduled || campaign.send_at.is_some_and(|at| at > now) {
            return Ok(0);
        }
        let chosen = audience::choose(connection, campaign.clinic_id, &campaign.audience()?, now.date_naive()).await?;
        let recipients = chosen.consenting.len();
        if i64::try_from(recipients).unwrap_or(i64::MAX) > settings.max_audience {
            // Its clients grew past the limit since it was scheduled: it waits for its admins.
            tracing::warn!(campaign_id = %id, recipients, "a campaign over outreach.max_audience was not started");
            diesel::update(campaigns::table.find(id))
                .set((campaigns::status.eq(CampaignStatus::Draft), campaigns::updated_at.eq(now)))
                .execute(connection)
                .await?;
            return Ok(0);
        }
        let batches = i32::try_from(recipients.div_ceil(usize::try_from(settings.batch_size).unwrap_or(1)))
            .map_err(kernel::Error::internal)?;
        db::Sql::query(
            "INSERT INTO campaign_recipients (campaign_id, user_id, batch) \
             SELECT $1, recipient, (ordinality - 1)::int / $3 FROM unnest($2::uuid[]) WITH ORDINALITY AS r(recipient)",
        )
        .bind::<Uuid, _>(id)
        .bind::<Array<Uuid>, _>(&chosen.consenting)
        .bind::<Integer, _>(settings.batch_size)
        .execute(connection)
        .await?;
        let jobs: Vec<(SendCampaignBatch, EnqueueOptions)> = (0..batches)
            .map(|batch| {
                let run_at = now + Duration::seconds(settings.batch_interval_secs * i64::from(batch));
                SendCampaignBatch::at(id, batch, run_at)
            })
            .collect();
        jobs::enqueue_each(connection, &jobs).await?;
        let size = |people: usize| i32::try_from(people).map_err(kernel::Error::internal);
        let (status, finished_at) =
            if recipients == 0 { (CampaignStatus::Sent, Some(now)) } else { (CampaignStatus::Sending, None) };
        diesel::update(campaigns::table.find(id))
            .set((
                campaigns::status.eq(status),
                campaigns::audience_size.eq(size(chosen.matching.len())?),
                campaigns::without_consent.eq(size(chosen.matching.len() - recipients)?),
                campaigns::started_at.eq(now),
                campaigns::finished_at.eq(finished_at),
                campaigns::updated_at.eq(now),
            ))
            .execute(connection)
            .await?;
        Ok(recipients)
    })
    .await
}

/// Sends batch `batch` of `id` while it is sending; answers how many were sent.
pub async fn send_batch(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    id: CampaignId,
    batch: i32,
    now: DateTime<Utc>,
) -> kernel::Result<usize> {
    db::transaction(connection, async |connection| {
        let campaign = campaigns::table.find(id).select(Campaign::as_select()).for_update().first(connection).await;
        let Some(campaign) = campaign.optional()? else { return Ok(0) };
        if campaign.status != CampaignStatus::Sending {
            return Ok(0);
        }
        let unsent: Vec<UserId> = campaign_recipients::table
            .filter(campaign_recipients::campaign_id.eq(id))
            .filter(campaign_recipients::batch.eq(batch))
            .filter(campaign_recipients::sent_at.is_null())
            .select(campaign_recipients::user_id)
            .load(connection)
            .await?;
        let clinic = clinics::scheduling::clinic(connection, campaign.clinic_id).await?;
        let paragraphs: Vec<&str> =
            campaign.body.split("\n\n").map(str::trim).filter(|paragraph| !paragraph.is_empty()).collect();
        let notices: Vec<Notification> = unsent
            .iter()
            .map(|&recipient| Notification {
                category: Category::Marketing,
                template: Template::Campaign,
                data: json!({
                    "subject": campaign.subject, "paragraphs": paragraphs, "clinic_name": clinic.name,
                    "unsubscribe_url": unsubscribe::url(settings, id, recipient),
                }),
                sender: clinic.sender(),
                attachments: Vec::new(),
            })
            .collect();
        let addressed: Vec<_> = unsent.iter().copied().zip(notices.iter()).collect();
        let sent: Vec<NotificationId> =
            if addressed.is_empty() { Vec::new() } else { notifications::notify_each(connection, &addressed).await? };
        db::Sql::query(
            "UPDATE campaign_recipients SET notification_id = sent.notice, sent_at = $4 \
             FROM unnest($2::uuid[], $3::uuid[]) AS sent(recipient, notice) \
             WHERE campaign_id = $1 AND user_id = sent.recipient",
        )
        .bind::<Uuid, _>(id)
        .bind::<Array<Uuid>, _>(&unsent)
        .bind::<Array<Uuid>, _>(&sent)
        .bind::<Timestamptz, _>(now)
        .execute(connection)
        .await?;
        let remaining: i64 = campaign_recipients::table
            .filter(campaign_recipients::campaign_id.eq(id))
            .filter(campaign_recipients::sent_at.is_null())
            .count()
            .get_result(connection)
            .await?;
        if remaining == 0 {
            diesel::update(campaigns::table.find(id))
                .set((
                    campaigns::status.eq(CampaignStatus::Sent),
                    campaigns::finished_at.eq(now),
                    campaigns::updated_at.eq(now),
                ))
                .execute(connection)
                .await?;
        }
        metrics::counter!("campaign_notices_total").increment(u64::try_from(sent.len()).unwrap_or_default());
        Ok(sent.len())
    })
    .await
}
