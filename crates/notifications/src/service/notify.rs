//! [`notify`]: the one way any crate sends something to a person.

use chrono::Utc;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::{EnqueueOptions, enqueue_each};
use kernel::{DeliveryId, NotificationId, UserId};

use crate::jobs::{Deliver, EmailAddress};
use crate::models::{Channel, NewDelivery, NewNotification, Notification};
use crate::service::preferences;
use db::schema::{notification_deliveries, notifications};

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
    let contact = platform::users::contact(connection, recipient).await?;
    let rendered = notification.template.render(&notification.data).map_err(kernel::Error::internal)?;
    let choices = preferences::effective(connection, recipient, contact.time_zone()).await?;
    let category = notification.category;
    let sender = notification.sender.as_ref().map(serde_json::to_value).transpose().map_err(kernel::Error::internal)?;
    db::transaction(connection, async |connection| {
        let id = NotificationId::new();
        let entry = NewNotification {
            id,
            recipient_id: recipient,
            category,
            template: notification.template.name(),
            title: &rendered.subject,
            body: &rendered.text,
            data: &notification.data,
            sender: sender.as_ref(),
            in_inbox: choices.allows(category, Channel::InApp),
        };
        diesel::insert_into(notifications::table).values(&entry).execute(connection).await?;
        if !contact.reachable() {
            return Ok(id);
        }
        let release = choices.release_time(category, Utc::now());
        let deliveries: Vec<NewDelivery> = [Channel::Email, Channel::Sms, Channel::Push]
            .into_iter()
            .filter(|&channel| choices.allows(category, channel))
            .map(|channel| NewDelivery { id: DeliveryId::new(), notification_id: id, channel, scheduled_for: release })
            .collect();
        if deliveries.is_empty() {
            return Ok(id);
        }
        diesel::insert_into(notification_deliveries::table).values(&deliveries).execute(connection).await?;
        let options = EnqueueOptions {
            run_at: Some(release),
            // graphile-worker runs lower numbers first.
            priority: if category.is_urgent() { -10 } else { 0 },
            max_attempts: Some(MAX_ATTEMPTS),
            ..EnqueueOptions::default()
        };
        let jobs: Vec<_> = deliveries.iter().map(|delivery| Deliver { delivery_id: delivery.id }).collect();
        enqueue_each(connection, &jobs, options).await?;
        Ok(id)
    })
    .await
}

/// Emails `notification` to `address`, which has no account (an invitation to
/// sign up): no inbox entry and no preferences, once per `key` (a second call
/// with the same key replaces the pending email). Call it inside the
/// transaction of the change it announces, like [`notify`].
pub async fn email_address(
    connection: &mut AsyncPgConnection,
    address: &str,
    notification: &Notification,
    key: uuid::Uuid,
) -> kernel::Result<()> {
    notification.template.render(&notification.data).map_err(kernel::Error::internal)?;
    let job = EmailAddress {
        key,
        to: address.to_owned(),
        template: notification.template.name().to_owned(),
        data: notification.data.clone(),
        sender: notification.sender.clone(),
    };
    let options = EnqueueOptions {
        unique_key: Some(format!("email-address:{key}")),
        max_attempts: Some(MAX_ATTEMPTS),
        ..EnqueueOptions::default()
    };
    jobs::enqueue(connection, &job, options).await?;
    Ok(())
}
