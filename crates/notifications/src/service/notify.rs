//! [`notify`]: the one way any crate sends something to a person.

use chrono::Utc;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::{Batch, EnqueueOptions};
use kernel::{DeliveryId, NotificationId, UserId};

use crate::jobs::{Deliver, EmailAddress};
use crate::models::{Channel, MAX_ATTACHMENT_BYTES, NewAttachment, NewDelivery, NewNotification, Notification};
use crate::service::preferences;
use db::schema::notification_attachments;
use diesel::sql_types::{Array, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid};

/// Provider calls per delivery before it counts as failed (its job is then dead).
pub const MAX_ATTEMPTS: i32 = 8;

/// Records `notification` for `recipient` and schedules its deliveries.
///
/// Call it inside the transaction of the change it announces: the inbox entry,
/// the delivery log rows and the delivery jobs commit or roll back with it. The
/// recipient's preferences pick the channels; non-urgent deliveries wait for
/// the end of their quiet hours. A deactivated or deleted recipient gets the
/// inbox entry only. The template may greet them by `recipient_name`, set
/// here from their profile. The notification's attachments are kept for its email
/// alone, until that is sent. Fails with `NotFound` for an unknown recipient
/// and `Internal` when the template cannot be rendered with the data or the
/// attachments weigh more than [`MAX_ATTACHMENT_BYTES`].
pub async fn notify(
    connection: &mut AsyncPgConnection,
    recipient: UserId,
    notification: &Notification,
) -> kernel::Result<NotificationId> {
    kernel::single(notify_each(connection, &[(recipient, notification)]).await?)
}

/// [`notify`] for several recipients at once, each with their own
/// notification, in a fixed number of statements however many there are
/// (an emergency offered to a round of vets). Ids in the order given; all or
/// nothing.
pub async fn notify_each(
    connection: &mut AsyncPgConnection,
    notices: &[(UserId, &Notification)],
) -> kernel::Result<Vec<NotificationId>> {
    db::all_or_nothing(connection, async |connection| {
        let mut jobs = Batch::default();
        let ids = notify_each_into(connection, notices, &mut jobs).await?;
        jobs.enqueue(connection).await?;
        Ok(ids)
    })
    .await
}

/// [`notify_each`], with the delivery jobs added to the caller's `jobs`
/// rather than enqueued: a caller with jobs of its own enqueues them all in
/// one statement (a booking's reminders and notices), inside the same
/// transaction as the notices. The deliveries are not sent unless it does.
pub async fn notify_each_into(
    connection: &mut AsyncPgConnection,
    notices: &[(UserId, &Notification)],
    jobs: &mut Batch,
) -> kernel::Result<Vec<NotificationId>> {
    let recipients: Vec<UserId> = notices.iter().map(|(recipient, _)| *recipient).collect();
    let contacts = platform::users::contacts(connection, &recipients).await?;
    let zones: Vec<_> = contacts.iter().map(|(user, contact)| (*user, contact.time_zone())).collect();
    let choices = preferences::effective_each(connection, &zones).await?;
    let mut prepared = Vec::with_capacity(notices.len());
    for &(recipient, notification) in notices {
        let (Some(contact), Some(choices)) = (contacts.get(&recipient), choices.get(&recipient)) else {
            return Err(kernel::Error::NotFound { resource: "user" });
        };
        let data = addressed(&notification.data, contact);
        let rendered = notification.template.render(&data).map_err(kernel::Error::internal)?;
        let weight: usize = notification.attachments.iter().map(|file| file.content.len()).sum();
        if weight > MAX_ATTACHMENT_BYTES {
            return Err(kernel::Error::internal(format!("attachments of {weight} bytes, over {MAX_ATTACHMENT_BYTES}")));
        }
        let sender =
            notification.sender.as_ref().map(serde_json::to_value).transpose().map_err(kernel::Error::internal)?;
        prepared.push((NotificationId::new(), recipient, notification, data, contact, choices, rendered, sender));
    }
    let now = Utc::now();
    let mut entries = Vec::with_capacity(prepared.len());
    let mut deliveries = Vec::new();
    let mut attachments = Vec::new();
    for (id, recipient, notification, data, contact, choices, rendered, sender) in &prepared {
        let category = notification.category;
        entries.push(NewNotification {
            id: *id,
            recipient_id: *recipient,
            category,
            template: notification.template.name(),
            title: &rendered.subject,
            body: &rendered.text,
            data,
            sender: sender.as_ref(),
            in_inbox: choices.allows(category, Channel::InApp),
        });
        if !contact.reachable() {
            continue;
        }
        let release = choices.release_time(category, now);
        let options = EnqueueOptions {
            run_at: Some(release),
            // graphile-worker runs lower numbers first.
            priority: if category.is_urgent() { -10 } else { 0 },
            max_attempts: Some(MAX_ATTEMPTS),
            ..EnqueueOptions::default()
        };
        for channel in [Channel::Email, Channel::Sms, Channel::Push] {
            if choices.allows(category, channel) {
                let delivery =
                    NewDelivery { id: DeliveryId::new(), notification_id: *id, channel, scheduled_for: release };
                jobs.add(&Deliver { delivery_id: delivery.id }, options.clone())?;
                deliveries.push(delivery);
                if channel == Channel::Email {
                    attachments.extend(notification.attachments.iter().map(|file| NewAttachment {
                        id: uuid::Uuid::now_v7(),
                        notification_id: *id,
                        file_name: &file.file_name,
                        content_type: &file.content_type,
                        content: &file.content,
                    }));
                }
            }
        }
    }
    db::all_or_nothing(connection, async |connection| {
        insert_notifications(&entries).execute(connection).await?;
        if !deliveries.is_empty() {
            insert_deliveries(&deliveries).execute(connection).await?;
        }
        if !attachments.is_empty() {
            diesel::insert_into(notification_attachments::table).values(&attachments).execute(connection).await?;
        }
        Ok(())
    })
    .await?;
    Ok(prepared.iter().map(|(id, ..)| *id).collect())
}

// The two inserts every notice makes take one array per column and `unnest`
// them: the text is then the same for any number of rows and stays prepared,
// where Diesel's multi-row `VALUES` is parsed and planned again on each call
// (a tenth of PostgreSQL's time in a booking, from its log).

/// Inserts `entries` in one statement.
fn insert_notifications<'a>(entries: &'a [NewNotification<'a>]) -> db::Sql<'a> {
    db::Sql::query(
        "INSERT INTO notifications (id, recipient_id, category, template, title, body, data, sender, in_inbox) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], \
                              $7::jsonb[], $8::jsonb[], $9::bool[])",
    )
    .bind::<Array<Uuid>, _>(entries.iter().map(|entry| entry.id).collect::<Vec<_>>())
    .bind::<Array<Uuid>, _>(entries.iter().map(|entry| entry.recipient_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(entries.iter().map(|entry| entry.category).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(entries.iter().map(|entry| entry.template).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(entries.iter().map(|entry| entry.title).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(entries.iter().map(|entry| entry.body).collect::<Vec<_>>())
    .bind::<Array<Jsonb>, _>(entries.iter().map(|entry| entry.data).collect::<Vec<_>>())
    .bind::<Array<Nullable<Jsonb>>, _>(entries.iter().map(|entry| entry.sender).collect::<Vec<_>>())
    .bind::<Array<Bool>, _>(entries.iter().map(|entry| entry.in_inbox).collect::<Vec<_>>())
}

/// Inserts `deliveries` in one statement.
fn insert_deliveries(deliveries: &[NewDelivery]) -> db::Sql<'static> {
    db::Sql::query(
        "INSERT INTO notification_deliveries (id, notification_id, channel, scheduled_for) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])",
    )
    .bind::<Array<Uuid>, _>(deliveries.iter().map(|delivery| delivery.id).collect::<Vec<_>>())
    .bind::<Array<Uuid>, _>(deliveries.iter().map(|delivery| delivery.notification_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(deliveries.iter().map(|delivery| delivery.channel).collect::<Vec<_>>())
    .bind::<Array<Timestamptz>, _>(deliveries.iter().map(|delivery| delivery.scheduled_for).collect::<Vec<_>>())
}

/// The notice's data as its recipient reads it: with `recipient_name`, their
/// first name (or "there", when their profile has none).
fn addressed(data: &serde_json::Value, contact: &platform::users::Contact) -> serde_json::Value {
    let mut data = data.clone();
    if let Some(fields) = data.as_object_mut() {
        let name = contact.first_name.clone().unwrap_or_else(|| "there".to_owned());
        fields.insert("recipient_name".to_owned(), name.into());
    }
    data
}

/// Emails `notification` to `address`, which has no account (an invitation to
/// sign up): no inbox entry and no preferences, once per `key` (a second call
/// with the same key replaces the pending email). Call it inside the
/// transaction of the change it announces, like [`notify`]. It carries no
/// attachments (`Internal` if asked to).
pub async fn email_address(
    connection: &mut AsyncPgConnection,
    address: &str,
    notification: &Notification,
    key: uuid::Uuid,
) -> kernel::Result<()> {
    notification.template.render(&notification.data).map_err(kernel::Error::internal)?;
    if !notification.attachments.is_empty() {
        return Err(kernel::Error::internal("an email to an address carries no attachments"));
    }
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
