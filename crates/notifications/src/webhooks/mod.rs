//! Outgoing webhooks: a clinic's own systems told what happens at the clinic.
//!
//! A clinic admin registers HTTPS endpoints for [`EventType`]s
//! ([`endpoints`]). A crate that changes something a clinic subscribes to
//! calls [`emit()`] inside its transaction: each listening endpoint gets a
//! delivery row and a [`DeliverWebhook`] job, so an event exists exactly when
//! its change committed. Each delivery is a `POST` of
//! `{"type", "timestamp", "data"}` signed the Standard Webhooks way
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`:
//! [`platform::webhook_signature`]), retried with the job queue's backoff,
//! never following redirects, and only to addresses the [`Guard`] allows.
//! Every attempt is logged with its answer; a delivery can be sent again on
//! demand; an endpoint whose deliveries keep failing is disabled and
//! [`WebhookDisabled`] published for the clinic's admins to be told.

mod api;
mod deliver;
pub mod endpoints;
mod guard;
pub mod handlers;
mod models;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, WebhookEventId, WebhookId};
use serde::{Deserialize, Serialize};

pub use api::{DeliveryView, EndpointView, IssuedEndpoint, NewEndpoint};
pub use deliver::{DeliverWebhook, WebhookClient};
pub use guard::{Guard, Refusal};
pub use models::{AttemptRow, DeliveryRow, DeliveryState, Endpoint};

use db::schema::{outbound_webhook_deliveries, outbound_webhooks};

/// What a webhook tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookEventType)]
pub enum EventType {
    /// An appointment was booked.
    #[serde(rename = "appointment.created")]
    AppointmentCreated,
    /// An appointment moved, was confirmed, started, or marked a no-show.
    #[serde(rename = "appointment.changed")]
    AppointmentChanged,
    /// An appointment was cancelled.
    #[serde(rename = "appointment.cancelled")]
    AppointmentCancelled,
    /// An appointment was completed.
    #[serde(rename = "appointment.completed")]
    AppointmentCompleted,
    /// A health record was added for a patient of the clinic.
    #[serde(rename = "record.added")]
    RecordAdded,
    /// An order from the clinic was paid.
    #[serde(rename = "order.paid")]
    OrderPaid,
}

impl EventType {
    /// Every type.
    pub const ALL: &[Self] = &[
        Self::AppointmentCreated,
        Self::AppointmentChanged,
        Self::AppointmentCancelled,
        Self::AppointmentCompleted,
        Self::RecordAdded,
        Self::OrderPaid,
    ];

    /// The name sent as `type` and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentCreated => "appointment.created",
            Self::AppointmentChanged => "appointment.changed",
            Self::AppointmentCancelled => "appointment.cancelled",
            Self::AppointmentCompleted => "appointment.completed",
            Self::RecordAdded => "record.added",
            Self::OrderPaid => "order.paid",
        }
    }
}

/// `url` without its query and fragment, for audit entries and notices: a
/// receiver's URL may carry a token there.
pub fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// The body every endpoint receives.
#[derive(Serialize)]
struct Body<'a, T> {
    r#type: &'static str,
    timestamp: DateTime<Utc>,
    data: &'a T,
}

/// Sends `data` as an `event_type` event of `clinic` to each of the clinic's
/// enabled endpoints that subscribed to it, inside the caller's transaction:
/// one statement when no endpoint listens, two when some do (on a shared
/// connection: a caller may pipeline it with its other writes).
pub async fn emit<T: Serialize>(
    mut connection: &AsyncPgConnection,
    clinic: ClinicId,
    event_type: EventType,
    data: &T,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let event = WebhookEventId::new();
    let body = serde_json::to_string(&Body { r#type: event_type.as_str(), timestamp: now, data })
        .map_err(kernel::Error::internal)?;
    let listening = outbound_webhooks::table
        .filter(outbound_webhooks::clinic_id.eq(clinic))
        .filter(outbound_webhooks::disabled_at.is_null())
        .filter(outbound_webhooks::events.contains(vec![event_type.as_str()]))
        .select((
            outbound_webhooks::id,
            event.0.into_sql::<Uuid>(),
            event_type.as_str().into_sql::<Text>(),
            body.into_sql::<Text>(),
        ));
    let endpoints: Vec<WebhookId> = diesel::insert_into(outbound_webhook_deliveries::table)
        .values(listening)
        .into_columns((
            outbound_webhook_deliveries::endpoint_id,
            outbound_webhook_deliveries::event_id,
            outbound_webhook_deliveries::event_type,
            outbound_webhook_deliveries::body,
        ))
        .returning(outbound_webhook_deliveries::endpoint_id)
        .get_results(&mut connection)
        .await?;
    let jobs: Vec<_> = endpoints.into_iter().map(|endpoint| deliver::job(endpoint, event)).collect();
    jobs::enqueue_each(connection, &jobs).await
}

/// An endpoint was disabled after failing too long; the crate that knows the
/// clinic's admins tells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDisabled {
    /// The endpoint.
    pub webhook_id: WebhookId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// Where it pointed, without its query.
    pub url: String,
    /// Why it was disabled.
    pub reason: String,
}

impl jobs::Event for WebhookDisabled {
    const NAME: &'static str = "notifications_webhook_disabled";
}
