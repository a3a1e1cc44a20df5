//! What the webhook endpoints take and answer.

use chrono::{DateTime, Utc};
use kernel::{ClinicId, WebhookEventId, WebhookId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::EventType;
use super::models::{AttemptRow, DeliveryRow, DeliveryState, Endpoint};

/// `POST /clinics/{id}/webhooks`: an endpoint for the clinic's events.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// Where deliveries are posted: `https://`, on a public address (checked
    /// now and at every delivery), no user name or password.
    #[validate(length(min = 8, max = 2000))]
    #[schema(min_length = 8, max_length = 2000)]
    pub url: String,
    /// The clinic's note ("Practice software"), at most 200 characters.
    #[validate(length(max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub description: Option<String>,
    /// The event types it receives.
    #[validate(length(min = 1, max = 16))]
    #[schema(min_items = 1, max_items = 16)]
    pub events: Vec<EventType>,
}

/// An endpoint as lists show it: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WebhookEndpoint)]
pub struct EndpointView {
    /// Its id.
    pub id: WebhookId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Where deliveries are posted.
    pub url: String,
    /// The clinic's note.
    pub description: String,
    /// The event types it receives.
    pub events: Vec<EventType>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Whether deliveries are sent (false once disabled).
    pub enabled: bool,
    /// Deliveries in a row that failed every attempt.
    pub failures_in_a_row: i32,
    /// When it was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why.
    pub disabled_reason: Option<String>,
}

impl From<Endpoint> for EndpointView {
    fn from(endpoint: Endpoint) -> Self {
        let events =
            EventType::ALL.iter().copied().filter(|kind| endpoint.events.iter().any(|name| name == kind.as_str()));
        Self {
            id: endpoint.id,
            clinic_id: endpoint.clinic_id,
            url: endpoint.url,
            description: endpoint.description,
            events: events.collect(),
            created_at: endpoint.created_at,
            enabled: endpoint.disabled_at.is_none(),
            failures_in_a_row: endpoint.failures_in_a_row,
            disabled_at: endpoint.disabled_at,
            disabled_reason: endpoint.disabled_reason,
        }
    }
}

/// An endpoint just registered: the only time its secret is shown.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IssuedWebhookEndpoint)]
pub struct IssuedEndpoint {
    /// The endpoint.
    pub endpoint: EndpointView,
    /// `whsec_<base64>`: the key of every delivery's `webhook-signature`
    /// (HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`).
    pub secret: String,
}

impl std::fmt::Debug for IssuedEndpoint {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IssuedEndpoint")
            .field("endpoint", &self.endpoint)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// One event's delivery to the endpoint, with every attempt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WebhookDelivery)]
pub struct DeliveryView {
    /// The event (its `webhook-id`).
    pub event_id: WebhookEventId,
    /// Its type.
    pub event_type: String,
    /// Where the delivery stands.
    pub status: DeliveryState,
    /// Attempts so far, redeliveries included.
    pub attempts: i32,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// When it was delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub log: Vec<AttemptRow>,
}

impl DeliveryView {
    /// `delivery` with its `log`.
    pub fn new(delivery: DeliveryRow, log: Vec<AttemptRow>) -> Self {
        Self {
            event_id: delivery.event_id,
            event_type: delivery.event_type,
            status: delivery.status,
            attempts: delivery.attempts,
            created_at: delivery.created_at,
            finished_at: delivery.finished_at,
            log,
        }
    }
}
