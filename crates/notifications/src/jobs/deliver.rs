//! The delivery job: sends one channel's copy of a notification and records
//! the outcome in the delivery log.
//!
//! Idempotent: a delivery that is no longer `pending` (sent, failed, skipped)
//! is not sent again when its job runs again, and the delivery id travels to
//! the provider as its idempotency key. An unreachable provider makes the job
//! fail, so graphile-worker retries it with backoff; the last attempt marks the
//! delivery failed and leaves the job dead for an admin to see. An email's
//! attachments go once its delivery is over (sent, skipped or failed).

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{DeliveryId, DeviceId, NotificationId, UserId};
use platform::users::Contact;
use serde::{Deserialize, Serialize};

use crate::models::{Attachment, Channel, DeliveryStatus, Sender};
use crate::providers::{Channels, Email, Push, Receipt, SendError, Sms};
use crate::templates::Template;
use db::schema::{notification_attachments, notification_deliveries, notifications, push_devices};

/// Sends delivery `delivery_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    /// The `notification_deliveries` row.
    pub delivery_id: DeliveryId,
}

impl TaskHandler for Deliver {
    const IDENTIFIER: &'static str = "notifications_deliver";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let last_attempt = context.job().attempts() >= context.job().max_attempts();
        Ok(deliver(&context, self.delivery_id, last_attempt).await?)
    }
}

/// What the job needs to know about a delivery.
#[derive(Queryable)]
struct Delivery {
    notification: NotificationId,
    channel: Channel,
    status: DeliveryStatus,
    recipient: UserId,
    template: String,
    data: serde_json::Value,
    sender: Option<serde_json::Value>,
}

/// How one run ended.
enum Outcome {
    Sent(Receipt),
    Skipped(&'static str),
    Failed(SendError),
}

async fn deliver(context: &WorkerContext, id: DeliveryId, last_attempt: bool) -> anyhow::Result<()> {
    let channels = context.get_ext::<Channels>().context("the worker has no notifications::Channels")?;
    let mut connection = Resources::of(context)?.connect().await?;
    let Some(delivery) = load(&mut connection, id).await? else {
        return Ok(()); // deleted together with its recipient
    };
    if delivery.status != DeliveryStatus::Pending {
        return Ok(());
    }
    let contact = platform::users::contact(&mut connection, delivery.recipient).await?;
    let outcome = send(&mut connection, channels, id, &delivery, &contact).await?;
    let over = record(&mut connection, id, &outcome, last_attempt).await?;
    if over && delivery.channel == Channel::Email {
        diesel::delete(
            notification_attachments::table.filter(notification_attachments::notification_id.eq(delivery.notification)),
        )
        .execute(&mut connection)
        .await?;
    }
    let result = match &outcome {
        Outcome::Sent(_) => "sent",
        Outcome::Skipped(_) => "skipped",
        Outcome::Failed(SendError::Unavailable(_)) => "unavailable",
        Outcome::Failed(_) => "rejected",
    };
    metrics::counter!("notifications_sent_total", "channel" => delivery.channel.as_str(), "outcome" => result)
        .increment(1);
    match outcome {
        Outcome::Failed(SendError::Unavailable(error)) => Err(anyhow::anyhow!(error)),
        _ => Ok(()),
    }
}

async fn load(connection: &mut AsyncPgConnection, id: DeliveryId) -> anyhow::Result<Option<Delivery>> {
    Ok(notification_deliveries::table
        .inner_join(notifications::table)
        .filter(notification_deliveries::id.eq(id))
        .select((
            notification_deliveries::notification_id,
            notification_deliveries::channel,
            notification_deliveries::status,
            notifications::recipient_id,
            notifications::template,
            notifications::data,
            notifications::sender,
        ))
        .first::<Delivery>(connection)
        .await
        .optional()?)
}

async fn send(
    connection: &mut AsyncPgConnection,
    channels: &Channels,
    id: DeliveryId,
    target: &Delivery,
    contact: &Contact,
) -> anyhow::Result<Outcome> {
    if !contact.reachable() {
        return Ok(Outcome::Skipped("the recipient's account is closed"));
    }
    let Some(template) = Template::from_name(&target.template) else {
        return Ok(Outcome::Failed(SendError::Rejected(format!("unknown template `{}`", target.template))));
    };
    let rendered = match template.render(&target.data) {
        Ok(rendered) => rendered,
        Err(error) => return Ok(Outcome::Failed(SendError::Rejected(error.to_string()))),
    };
    let result = match target.channel {
        Channel::Email => {
            let Some(to) = contact.email.clone() else { return Ok(Outcome::Skipped("no email address")) };
            let from = target.sender.clone().and_then(|sender| serde_json::from_value::<Sender>(sender).ok());
            let attachments = notification_attachments::table
                .filter(notification_attachments::notification_id.eq(target.notification))
                .order(notification_attachments::id)
                .select((
                    notification_attachments::file_name,
                    notification_attachments::content_type,
                    notification_attachments::content,
                ))
                .load::<Attachment>(connection)
                .await?;
            let email = Email {
                delivery_id: id.0,
                to,
                to_name: contact.first_name.clone(),
                from,
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
                attachments,
                unsubscribe: target.data.get("unsubscribe_url").and_then(|url| url.as_str()).map(str::to_owned),
            };
            channels.email.send(&email).await
        }
        Channel::Sms => {
            let Some(to) = contact.phone.clone() else { return Ok(Outcome::Skipped("no phone number")) };
            channels.sms.send(&Sms { delivery_id: id.0, to, body: rendered.sms }).await
        }
        Channel::Push => {
            let devices = push_devices::table
                .filter(push_devices::user_id.eq(target.recipient))
                .select((push_devices::id, push_devices::token))
                .load::<(DeviceId, String)>(connection)
                .await?;
            if devices.is_empty() {
                return Ok(Outcome::Skipped("no registered device"));
            }
            let data = string_data(&target.data);
            let mut result = Err(SendError::InvalidRecipient("no device accepted".into()));
            for (device, token) in devices {
                let push = Push {
                    delivery_id: id.0,
                    token,
                    title: rendered.subject.clone(),
                    body: rendered.text.clone(),
                    data: data.clone(),
                };
                match channels.push.send(&push).await {
                    Ok(receipt) => result = Ok(receipt),
                    Err(SendError::InvalidRecipient(_)) => forget_device(connection, device).await?,
                    Err(error) if result.is_err() => result = Err(error),
                    Err(_) => {}
                }
            }
            result
        }
        Channel::InApp => return Ok(Outcome::Skipped("the inbox needs no delivery")),
    };
    Ok(result.map_or_else(Outcome::Failed, Outcome::Sent))
}

/// FCM data values must be strings; nested values are sent as JSON text.
fn string_data(data: &serde_json::Value) -> BTreeMap<String, String> {
    data.as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| (key.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
        .collect()
}

async fn forget_device(connection: &mut AsyncPgConnection, device: DeviceId) -> anyhow::Result<()> {
    diesel::delete(push_devices::table.find(device)).execute(connection).await?;
    tracing::info!(device_id = %device, "removed a push device its provider no longer knows");
    Ok(())
}

/// Writes the outcome to the delivery log; answers whether the delivery is
/// over (no retry follows).
async fn record(
    connection: &mut AsyncPgConnection,
    id: DeliveryId,
    outcome: &Outcome,
    last_attempt: bool,
) -> anyhow::Result<bool> {
    let pending = notification_deliveries::table
        .filter(notification_deliveries::id.eq(id))
        .filter(notification_deliveries::status.eq(DeliveryStatus::Pending));
    let attempted = notification_deliveries::attempts.eq(notification_deliveries::attempts + 1);
    let mut over = true;
    let result = match outcome {
        Outcome::Sent(receipt) => {
            diesel::update(pending)
                .set((
                    notification_deliveries::status.eq(DeliveryStatus::Sent),
                    attempted,
                    notification_deliveries::provider_message_id.eq(&receipt.provider_message_id),
                    notification_deliveries::sent_at.eq(Utc::now()),
                    notification_deliveries::last_error.eq(None::<String>),
                ))
                .execute(connection)
                .await
        }
        Outcome::Skipped(reason) => {
            diesel::update(pending)
                .set((
                    notification_deliveries::status.eq(DeliveryStatus::Skipped),
                    notification_deliveries::last_error.eq(*reason),
                ))
                .execute(connection)
                .await
        }
        Outcome::Failed(error) => {
            let retry = matches!(error, SendError::Unavailable(_)) && !last_attempt;
            over = !retry;
            let status = if retry { DeliveryStatus::Pending } else { DeliveryStatus::Failed };
            diesel::update(pending)
                .set((
                    notification_deliveries::status.eq(status),
                    attempted,
                    notification_deliveries::last_error.eq(error.to_string()),
                ))
                .execute(connection)
                .await
        }
    };
    result?;
    Ok(over)
}
