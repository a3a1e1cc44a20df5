//! The rows of the webhook tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{ClinicId, UserId, WebhookEventId, WebhookId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use db::schema::{outbound_webhook_attempts, outbound_webhook_deliveries, outbound_webhooks};

kernel::text_enum!(
    /// Where one event's delivery to one endpoint stands.
    DeliveryState as WebhookDeliveryState {
        /// Waiting for its next attempt (or in one).
        Pending = "pending",
        /// The receiver answered 2xx.
        Delivered = "delivered",
        /// Out of attempts, or its endpoint was disabled.
        Failed = "failed",
    }
);

/// A registered endpoint (its `Debug` hides the secret).
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = outbound_webhooks)]
pub struct Endpoint {
    /// Its id.
    pub id: WebhookId,
    /// The clinic whose events it receives.
    pub clinic_id: ClinicId,
    /// Where deliveries are posted.
    pub url: String,
    /// The admin's note.
    pub description: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// The signing secret (`whsec_...`); never in a list.
    pub secret: String,
    /// Who registered it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Deliveries in a row that failed every attempt.
    pub failures_in_a_row: i32,
    /// When it was disabled (nothing is sent to it then).
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why.
    pub disabled_reason: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Endpoint")
            .field("id", &self.id)
            .field("clinic_id", &self.clinic_id)
            .field("url", &super::without_query(&self.url))
            .field("events", &self.events)
            .field("secret", &"[redacted]")
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// A new endpoint's row.
#[derive(Insertable)]
#[diesel(table_name = outbound_webhooks)]
pub(crate) struct NewEndpointRow<'a> {
    pub id: WebhookId,
    pub clinic_id: ClinicId,
    pub url: &'a str,
    pub description: &'a str,
    pub events: Vec<&'static str>,
    pub secret: &'a str,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// One event owed to one endpoint.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbound_webhook_deliveries)]
pub struct DeliveryRow {
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// The event (its `webhook-id`).
    pub event_id: WebhookEventId,
    /// `appointment.created`...
    pub event_type: String,
    /// The exact body sent.
    pub body: String,
    /// Where it stands.
    pub status: DeliveryState,
    /// Attempts so far, redeliveries included.
    pub attempts: i32,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// When it was delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

/// One attempt and the receiver's answer.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = outbound_webhook_attempts)]
#[schema(as = WebhookAttempt)]
pub struct AttemptRow {
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when there was no answer.
    pub status_code: Option<i32>,
    /// What went wrong (refused address, timeout, non-2xx answer).
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i32,
}
