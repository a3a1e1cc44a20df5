//! The delivery log, for platform admins; and how the deliveries of a set of
//! notifications went (a campaign's counts).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{DeliveryId, NotificationId, Page, PageRequest, Principal, Role};

use crate::api::{DeliveryFilter, DeliveryRecord};
use crate::models::{Channel, DeliveryStatus};
use db::schema::{notification_deliveries, notifications};

/// Deliveries, newest first, filtered.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &DeliveryFilter,
    page: &PageRequest,
) -> kernel::Result<Page<DeliveryRecord>> {
    principal.require(Role::PlatformAdmin)?;
    let mut query = notification_deliveries::table.inner_join(notifications::table).into_boxed();
    if let Some(recipient) = filter.recipient_id {
        query = query.filter(notifications::recipient_id.eq(recipient));
    }
    if let Some(channel) = filter.channel {
        query = query.filter(notification_deliveries::channel.eq(channel));
    }
    if let Some(status) = filter.status {
        query = query.filter(notification_deliveries::status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(notification_deliveries::id.lt(DeliveryId(after)));
    }
    let records = query
        .select((
            notification_deliveries::id,
            notification_deliveries::notification_id,
            notifications::recipient_id,
            notifications::category,
            notifications::template,
            notification_deliveries::channel,
            notification_deliveries::status,
            notification_deliveries::attempts,
            notification_deliveries::provider_message_id,
            notification_deliveries::last_error,
            notification_deliveries::scheduled_for,
            notification_deliveries::sent_at,
        ))
        .order(notification_deliveries::id.desc())
        .limit(page.fetch_limit())
        .load::<DeliveryRecord>(connection)
        .await?;
    Ok(Page::from_rows(records, page, |record| record.id.0))
}

/// How many of some notifications' deliveries on one channel stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Accepted by the provider.
    pub sent: i64,
    /// Refused for good, or out of attempts.
    pub failed: i64,
    /// Nothing to send to (no address, the account closed).
    pub skipped: i64,
    /// Waiting (quiet hours, retries).
    pub pending: i64,
}

/// Where the `channel` deliveries of `notification_ids` stand, in one query.
pub async fn outcomes(
    connection: &mut AsyncPgConnection,
    notification_ids: &[NotificationId],
    channel: Channel,
) -> kernel::Result<Outcomes> {
    let counts: Vec<(DeliveryStatus, i64)> = notification_deliveries::table
        .filter(notification_deliveries::notification_id.eq_any(notification_ids))
        .filter(notification_deliveries::channel.eq(channel))
        .group_by(notification_deliveries::status)
        .select((notification_deliveries::status, diesel::dsl::count_star()))
        .load(connection)
        .await?;
    Ok(counts.into_iter().fold(Outcomes::default(), |mut outcomes, (status, count)| {
        match status {
            DeliveryStatus::Sent => outcomes.sent += count,
            DeliveryStatus::Failed => outcomes.failed += count,
            DeliveryStatus::Skipped => outcomes.skipped += count,
            DeliveryStatus::Pending => outcomes.pending += count,
        }
        outcomes
    }))
}
