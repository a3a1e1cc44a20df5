//! The delivery job: sends one channel's copy of a notification and records
//! the outcome in the delivery log.
//!
//! Idempotent: a delivery that is no longer `pending` (sent, failed, skipped)
//! is not sent again when its job runs again, and the delivery id travels to
//! the provider as its idempotency key. An unreachable provider makes the job
//! fail, so graphile-worker retries it with backoff; the last attempt marks the
//! delivery failed and leaves the job dead for an admin to see.

use std::collections::BTreeMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{DeliveryId, UserId};
use serde::{Deserialize, Serialize};

use crate::model::{Channel, DeliveryStatus, Sender};
use crate::providers::{Channels, Email, Push, Receipt, SendError, Sms};
use crate::templates::Template;
use db::schema::{notification_deliveries, notifications, push_devices, users};

/// Sends delivery `delivery_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    /// The `notification_deliveries` row.
    pub delivery_id: DeliveryId,
}

impl TaskHandler for Deliver {
    const IDENTIFIER: &'static str = "notifications_deliver";

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let last_attempt = context.job().attempts() >= context.job().max_attempts();
            deliver(&context, self.delivery_id, last_attempt).await
        }
    }
}

/// What the job needs to know about a delivery.
#[derive(Queryable)]
struct Target {
    channel: Channel,
    status: DeliveryStatus,
    recipient: UserId,
    template: String,
    data: serde_json::Value,
    sender: Option<serde_json::Value>,
    email: Option<String>,
    first_name: Option<String>,
    phone: Option<String>,
    reachable: bool,
}

/// How one run ended.
enum Outcome {
    Sent(Receipt),
    Skipped(&'static str),
    Failed(SendError),
}

async fn deliver(context: &WorkerContext, id: DeliveryId, last_attempt: bool) -> Result<(), String> {
    let resources = context.get_ext::<Resources>().ok_or("the worker has no Resources extension")?;
    let channels = context.get_ext::<Channels>().ok_or("the worker has no Channels extension")?;
    let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
    let Some(target) = load(&mut connection, id).await? else {
        return Ok(()); // deleted together with its recipient
    };
    if target.status != DeliveryStatus::Pending {
        return Ok(());
    }
    let outcome = send(&mut connection, channels, id, &target).await?;
    record(&mut connection, id, &outcome, last_attempt).await?;
    match outcome {
        Outcome::Failed(SendError::Unavailable(error)) => Err(error),
        _ => Ok(()),
    }
}

async fn load(connection: &mut AsyncPgConnection, id: DeliveryId) -> Result<Option<Target>, String> {
    notification_deliveries::table
        .inner_join(notifications::table.inner_join(users::table))
        .filter(notification_deliveries::id.eq(id))
        .select((
            notification_deliveries::channel,
            notification_deliveries::status,
            notifications::recipient_id,
            notifications::template,
            notifications::data,
            notifications::sender,
            users::email,
            users::first_name,
            users::phone,
            users::is_active.and(users::deleted_at.is_null()),
        ))
        .first::<Target>(connection)
        .await
        .optional()
        .map_err(|error| error.to_string())
}

async fn send(
    connection: &mut AsyncPgConnection,
    channels: &Channels,
    id: DeliveryId,
    target: &Target,
) -> Result<Outcome, String> {
    if !target.reachable {
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
            let Some(to) = target.email.clone() else { return Ok(Outcome::Skipped("no email address")) };
            let from = target.sender.clone().and_then(|sender| serde_json::from_value::<Sender>(sender).ok());
            let email = Email {
                delivery_id: id.0,
                to,
                to_name: target.first_name.clone(),
                from,
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
            };
            channels.email.send(&email).await
        }
        Channel::Sms => {
            let Some(to) = target.phone.clone() else { return Ok(Outcome::Skipped("no phone number")) };
            channels.sms.send(&Sms { delivery_id: id.0, to, body: rendered.sms }).await
        }
        Channel::Push => {
            let devices = push_devices::table
                .filter(push_devices::user_id.eq(target.recipient))
                .select((push_devices::id, push_devices::token))
                .load::<(uuid::Uuid, String)>(connection)
                .await
                .map_err(|error| error.to_string())?;
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

async fn forget_device(connection: &mut AsyncPgConnection, device: uuid::Uuid) -> Result<(), String> {
    diesel::delete(push_devices::table.find(device)).execute(connection).await.map_err(|error| error.to_string())?;
    tracing::info!(device_id = %device, "removed a push device its provider no longer knows");
    Ok(())
}

async fn record(
    connection: &mut AsyncPgConnection,
    id: DeliveryId,
    outcome: &Outcome,
    last_attempt: bool,
) -> Result<(), String> {
    let pending = notification_deliveries::table
        .filter(notification_deliveries::id.eq(id))
        .filter(notification_deliveries::status.eq(DeliveryStatus::Pending));
    let attempted = notification_deliveries::attempts.eq(notification_deliveries::attempts + 1);
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
    result.map(drop).map_err(|error| error.to_string())
}
