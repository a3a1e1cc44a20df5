//! [`notify`]: the one way any crate sends something to a person.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use jobs::{EnqueueOptions, enqueue_each};
use kernel::{DeliveryId, NotificationId, UserId};

use crate::delivery::Deliver;
use crate::model::{Channel, Notification};
use crate::preferences;
use db::schema::{notification_deliveries, notifications, users};

/// Provider calls per delivery before it counts as failed (its job is then dead).
pub const MAX_ATTEMPTS: i32 = 8;

/// Records `notification` for `recipient` and schedules its deliveries.
///
/// Call it inside the transaction of the change it announces: the inbox entry,
/// the delivery log rows and the delivery jobs commit or roll back with it. The
/// recipient's preferences pick the channels; non-urgent deliveries wait for
/// the end of their quiet hours. A deactivated or deleted recipient gets the
/// inbox entry only. Fails with `NotFound` for an unknown recipient and
/// `Internal` when the template cannot be rendered with the data.
pub async fn notify(
    connection: &mut AsyncPgConnection,
    recipient: UserId,
    notification: &Notification,
) -> kernel::Result<NotificationId> {
    let reachable = users::table
        .find(recipient)
        .select(users::is_active.and(users::deleted_at.is_null()))
        .first::<bool>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "user" })?;
    let rendered = notification.template.render(&notification.data).map_err(kernel::Error::internal)?;
    let choices = preferences::effective(connection, recipient).await?;
    let category = notification.category;
    let sender = notification.sender.as_ref().map(serde_json::to_value).transpose().map_err(kernel::Error::internal)?;
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            let id = NotificationId::new();
            diesel::insert_into(notifications::table)
                .values((
                    notifications::id.eq(id),
                    notifications::recipient_id.eq(recipient),
                    notifications::category.eq(category),
                    notifications::template.eq(notification.template.name()),
                    notifications::title.eq(&rendered.subject),
                    notifications::body.eq(&rendered.text),
                    notifications::data.eq(&notification.data),
                    notifications::sender.eq(&sender),
                    notifications::in_inbox.eq(choices.allows(category, Channel::InApp)),
                ))
                .execute(connection)
                .await?;
            if !reachable {
                return Ok(id);
            }
            let release = choices.release_time(category, Utc::now());
            let external = [Channel::Email, Channel::Sms, Channel::Push];
            let deliveries: Vec<_> = external
                .into_iter()
                .filter(|&channel| choices.allows(category, channel))
                .map(|channel| (DeliveryId::new(), channel))
                .collect();
            if deliveries.is_empty() {
                return Ok(id);
            }
            diesel::insert_into(notification_deliveries::table)
                .values(
                    deliveries
                        .iter()
                        .map(|&(delivery, channel)| {
                            (
                                notification_deliveries::id.eq(delivery),
                                notification_deliveries::notification_id.eq(id),
                                notification_deliveries::channel.eq(channel),
                                notification_deliveries::scheduled_for.eq(release),
                            )
                        })
                        .collect::<Vec<_>>(),
                )
                .execute(connection)
                .await?;
            let options = EnqueueOptions {
                run_at: Some(release),
                // graphile-worker runs lower numbers first.
                priority: if category.is_urgent() { -10 } else { 0 },
                max_attempts: Some(MAX_ATTEMPTS),
                ..EnqueueOptions::default()
            };
            let jobs: Vec<_> = deliveries.iter().map(|&(delivery_id, _)| Deliver { delivery_id }).collect();
            enqueue_each(connection, &jobs, options).await?;
            Ok(id)
        })
        .await
}
