//! The delivery log, for platform admins.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{DeliveryId, Page, PageRequest, Principal, Role};

use crate::api::{DeliveryFilter, DeliveryRecord};
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
