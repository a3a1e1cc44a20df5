//! A clinic's campaigns, managed by its admins (and platform admins):
//! written and edited as drafts, their audience previewed, scheduled,
//! cancelled, and read back with how their sending went. Every change is
//! audited.

use chrono::{DateTime, Utc};
use diesel::dsl::{And, Eq, Filter};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{CampaignId, ClinicId, NotificationId, Principal, Role, Valid};
use notifications::Channel;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::api::{AudiencePreview, CampaignCounts, CampaignRequest, CampaignStatus, CampaignView};
use crate::audience;
use crate::jobs::StartCampaign;
use crate::models::Campaign;
use db::schema::{campaign_recipients, campaigns};

/// Campaigns a list shows, newest first.
pub const LIST_LENGTH: i64 = 100;

/// Writes a draft campaign for `clinic`.
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    request: &Valid<CampaignRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<Campaign> {
    admin_of(principal, clinic)?;
    let audience = serde_json::to_value(&request.audience).map_err(kernel::Error::internal)?;
    db::transaction(connection, async |connection| {
        // An unknown clinic is 404 (a platform admin may name any).
        clinics::scheduling::clinic(connection, clinic).await?;
        let campaign: Campaign = diesel::insert_into(campaigns::table)
            .values((
                campaigns::id.eq(CampaignId::new()),
                campaigns::clinic_id.eq(clinic),
                campaigns::name.eq(request.name.trim()),
                campaigns::subject.eq(request.subject.trim()),
                campaigns::body.eq(request.body.trim()),
                campaigns::audience.eq(&audience),
                campaigns::created_by.eq(principal.user_id),
                campaigns::created_at.eq(now),
                campaigns::updated_at.eq(now),
            ))
            .returning(Campaign::as_returning())
            .get_result(connection)
            .await?;
        let changes = json!({ "name": campaign.name, "audience": campaign.audience });
        audit::record(connection, entry(principal, "campaign.created", campaign.id).with_changes(changes)).await?;
        Ok(campaign)
    })
    .await
}

/// Rewrites a campaign not yet sending (a scheduled one keeps its time,
/// and its new audience must stay within `[outreach] max_audience`).
pub async fn update(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic: ClinicId,
    id: CampaignId,
    request: &Valid<CampaignRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<Campaign> {
    admin_of(principal, clinic)?;
    let audience = serde_json::to_value(&request.audience).map_err(kernel::Error::internal)?;
    db::transaction(connection, async |connection| {
        let campaign = locked(connection, clinic, id).await?;
        editable(&campaign)?;
        if campaign.status == CampaignStatus::Scheduled {
            within_limit(connection, settings, clinic, &request.audience, now).await?;
        }
        let updated: Campaign = diesel::update(campaigns::table.find(id))
            .set((
                campaigns::name.eq(request.name.trim()),
                campaigns::subject.eq(request.subject.trim()),
                campaigns::body.eq(request.body.trim()),
                campaigns::audience.eq(&audience),
                campaigns::updated_at.eq(now),
            ))
            .returning(Campaign::as_returning())
            .get_result(connection)
            .await?;
        let changes = json!({ "name": updated.name, "audience": updated.audience });
        audit::record(connection, entry(principal, "campaign.updated", id).with_changes(changes)).await?;
        Ok(updated)
    })
    .await
}

/// The clinic's latest [`LIST_LENGTH`] campaigns, newest first, without counts.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<Campaign>> {
    admin_of(principal, clinic)?;
    Ok(campaigns::table
        .filter(campaigns::clinic_id.eq(clinic))
        .order((campaigns::created_at.desc(), campaigns::id.desc()))
        .limit(LIST_LENGTH)
        .select(Campaign::as_select())
        .load(connection)
        .await?)
}

/// One campaign with how its sending went.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: CampaignId,
) -> kernel::Result<CampaignView> {
    admin_of(principal, clinic)?;
    let campaign = of_clinic(clinic, id).select(Campaign::as_select()).first(connection).await.optional()?;
    let campaign = campaign.ok_or(NOT_FOUND)?;
    let counts = counts(connection, &campaign).await?;
    campaign.view(counts)
}

/// How many clients the campaign's audience matches now, and how many of
/// them it would reach.
pub async fn preview(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: CampaignId,
    now: DateTime<Utc>,
) -> kernel::Result<AudiencePreview> {
    admin_of(principal, clinic)?;
    let campaign = of_clinic(clinic, id).select(Campaign::as_select()).first(connection).await.optional()?;
    let campaign = campaign.ok_or(NOT_FOUND)?;
    let chosen = audience::choose(connection, clinic, &campaign.audience()?, now.date_naive()).await?;
    Ok(AudiencePreview { matching: count(chosen.matching.len()), consenting: count(chosen.consenting.len()) })
}

/// Schedules a draft (or moves a scheduled campaign) to start sending at
/// `send_at` (now when absent). 422 when that is past, or the audience is
/// larger than `[outreach] max_audience`; 409 once it is sending.
pub async fn schedule(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic: ClinicId,
    id: CampaignId,
    send_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> kernel::Result<Campaign> {
    admin_of(principal, clinic)?;
    let send_at = send_at.unwrap_or(now);
    if send_at < now - chrono::Duration::minutes(1) {
        return Err(kernel::Error::invalid_field("send_at", "must not be in the past"));
    }
    db::transaction(connection, async |connection| {
        let campaign = locked(connection, clinic, id).await?;
        editable(&campaign)?;
        within_limit(connection, settings, clinic, &campaign.audience()?, now).await?;
        let scheduled: Campaign = diesel::update(campaigns::table.find(id))
            .set((
                campaigns::status.eq(CampaignStatus::Scheduled),
                campaigns::send_at.eq(send_at),
                campaigns::updated_at.eq(now),
            ))
            .returning(Campaign::as_returning())
            .get_result(connection)
            .await?;
        let (job, options) = StartCampaign::at(id, send_at);
        jobs::enqueue(connection, &job, options).await?;
        let changes = json!({ "send_at": send_at });
        audit::record(connection, entry(principal, "campaign.scheduled", id).with_changes(changes)).await?;
        Ok(scheduled)
    })
    .await
}

/// Stops a campaign before it is sent: a scheduled one never starts, a
/// sending one sends no further batch. 409 once sent or cancelled.
pub async fn cancel(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: CampaignId,
    now: DateTime<Utc>,
) -> kernel::Result<Campaign> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let campaign = locked(connection, clinic, id).await?;
        if matches!(campaign.status, CampaignStatus::Sent | CampaignStatus::Cancelled) {
            return Err(kernel::Error::conflict(format!("a {} campaign cannot be cancelled", campaign.status)));
        }
        let cancelled: Campaign = diesel::update(campaigns::table.find(id))
            .set((campaigns::status.eq(CampaignStatus::Cancelled), campaigns::updated_at.eq(now)))
            .returning(Campaign::as_returning())
            .get_result(connection)
            .await?;
        jobs::cancel(connection, &[StartCampaign::key(id)]).await?;
        let changes = json!({ "status": platform::audit::change(campaign.status, CampaignStatus::Cancelled) });
        audit::record(connection, entry(principal, "campaign.cancelled", id).with_changes(changes)).await?;
        Ok(cancelled)
    })
    .await
}

/// How `campaign`'s sending went, once it started: its recipients, and the
/// email deliveries of the notices they were sent (notifications' log).
pub async fn counts(connection: &mut AsyncPgConnection, campaign: &Campaign) -> kernel::Result<Option<CampaignCounts>> {
    if campaign.started_at.is_none() {
        return Ok(None);
    }
    let recipients: Vec<(Option<NotificationId>, bool)> = campaign_recipients::table
        .filter(campaign_recipients::campaign_id.eq(campaign.id))
        .select((campaign_recipients::notification_id, campaign_recipients::unsubscribed_at.is_not_null()))
        .load(connection)
        .await?;
    let notices: Vec<NotificationId> = recipients.iter().filter_map(|(notice, _)| *notice).collect();
    let emails = notifications::service::delivery_log::outcomes(connection, &notices, Channel::Email).await?;
    let unsubscribed = recipients.iter().filter(|(_, unsubscribed)| *unsubscribed).count();
    let emailed = emails.sent + emails.failed + emails.skipped + emails.pending;
    Ok(Some(CampaignCounts {
        audience: i64::from(campaign.audience_size.unwrap_or_default()),
        without_consent: i64::from(campaign.without_consent.unwrap_or_default()),
        recipients: count(recipients.len()),
        sent: emails.sent,
        failed: emails.failed + emails.skipped,
        pending: emails.pending + count(recipients.len() - notices.len()),
        other_channels: count(notices.len()) - emailed,
        unsubscribed: count(unsubscribed),
    }))
}

const NOT_FOUND: kernel::Error = kernel::Error::NotFound { resource: "campaign" };

fn count(items: usize) -> i64 {
    i64::try_from(items).unwrap_or(i64::MAX)
}

fn admin_of(principal: &Principal, clinic: ClinicId) -> kernel::Result<()> {
    principal.require_staff(clinic, &[Role::ClinicAdmin])
}

/// 422 when `audience` reaches more than `[outreach] max_audience` clients
/// (a draft may be any size until it is scheduled).
async fn within_limit(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    clinic: ClinicId,
    audience: &crate::api::Audience,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let reached = audience::choose(connection, clinic, audience, now.date_naive()).await?.consenting.len();
    if count(reached) > settings.max_audience {
        let message = format!("reaches {reached} clients, more than {}", settings.max_audience);
        return Err(kernel::Error::invalid_field("audience", message));
    }
    Ok(())
}

fn editable(campaign: &Campaign) -> kernel::Result<()> {
    match campaign.status {
        CampaignStatus::Draft | CampaignStatus::Scheduled => Ok(()),
        status => Err(kernel::Error::conflict(format!("a {status} campaign cannot be changed"))),
    }
}

/// The clinic's campaign `id` (another clinic's is not found).
fn of_clinic(clinic: ClinicId, id: CampaignId) -> Filter<campaigns::table, OfClinic> {
    campaigns::table.filter(campaigns::id.eq(id).and(campaigns::clinic_id.eq(clinic)))
}

type OfClinic = And<Eq<campaigns::id, CampaignId>, Eq<campaigns::clinic_id, ClinicId>>;

async fn locked(connection: &mut AsyncPgConnection, clinic: ClinicId, id: CampaignId) -> kernel::Result<Campaign> {
    of_clinic(clinic, id)
        .select(Campaign::as_select())
        .for_update()
        .first(connection)
        .await
        .optional()?
        .ok_or(NOT_FOUND)
}

fn entry(principal: &Principal, action: &'static str, id: CampaignId) -> AuditEntry {
    AuditEntry::new(Some(principal.user_id), action, "campaign", id)
}
