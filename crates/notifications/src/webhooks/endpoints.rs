//! A clinic's webhook endpoints, managed by its admins (and platform admins):
//! registered (the URL checked by the [`Guard`]), listed without their
//! secrets, enabled again after being disabled, deleted; their delivery log,
//! and a delivery sent again on demand. Every change is audited.

use chrono::{DateTime, Utc};
use diesel::dsl::{And, Eq, Filter};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, Valid, WebhookEventId, WebhookId};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use super::api::NewEndpoint;
use super::models::{AttemptRow, DeliveryRow, DeliveryState, Endpoint, NewEndpointRow};
use super::{EventType, Guard, deliver, without_query};
use db::schema::{outbound_webhook_attempts, outbound_webhook_deliveries, outbound_webhooks};

/// Endpoints one clinic may have.
pub const MAX_ENDPOINTS_PER_CLINIC: i64 = 20;

/// Deliveries the log shows, newest first.
pub const DELIVERY_LOG_LENGTH: i64 = 100;

/// Registers an endpoint for `clinic`; the answer carries its secret.
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    request: &Valid<NewEndpoint>,
    guard: &Guard,
    now: DateTime<Utc>,
) -> kernel::Result<Endpoint> {
    admin_of(principal, clinic)?;
    let url = guard
        .check(request.url.trim())
        .await
        .map_err(|refusal| kernel::Error::invalid_field("url", refusal.to_string()))?;
    let secret = platform::webhook_signature::new_secret()?;
    let events = EventType::ALL.iter().filter(|kind| request.events.contains(kind)).map(|kind| kind.as_str()).collect();
    let row = NewEndpointRow {
        id: WebhookId::new(),
        clinic_id: clinic,
        url: url.as_str(),
        description: request.description.as_deref().map_or("", str::trim),
        events,
        secret: &secret,
        created_by: principal.user_id,
        created_at: now,
    };
    db::transaction(connection, async |connection| {
        // One registration at a time per clinic, so two cannot both pass the count.
        db::Sql::query("SELECT pg_advisory_xact_lock(hashtextextended('outbound_webhooks:' || $1::text, 0))")
            .bind::<diesel::sql_types::Uuid, _>(clinic)
            .execute(connection)
            .await?;
        let existing = outbound_webhooks::table
            .filter(outbound_webhooks::clinic_id.eq(clinic))
            .count()
            .get_result::<i64>(connection)
            .await?;
        if existing >= MAX_ENDPOINTS_PER_CLINIC {
            return Err(kernel::Error::conflict(format!("a clinic has at most {MAX_ENDPOINTS_PER_CLINIC} webhooks")));
        }
        let endpoint = diesel::insert_into(outbound_webhooks::table)
            .values(&row)
            .returning(Endpoint::as_returning())
            .get_result(connection)
            .await?;
        let changes = json!({ "url": without_query(&endpoint.url), "events": endpoint.events, "clinic_id": clinic });
        audit::record(connection, entry(principal, "webhook.created", endpoint.id).with_changes(changes)).await?;
        Ok(endpoint)
    })
    .await
}

/// The clinic's endpoints, oldest first.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<Endpoint>> {
    admin_of(principal, clinic)?;
    Ok(outbound_webhooks::table
        .filter(outbound_webhooks::clinic_id.eq(clinic))
        .order((outbound_webhooks::created_at, outbound_webhooks::id))
        .select(Endpoint::as_select())
        .load(connection)
        .await?)
}

/// Deletes the clinic's endpoint `id` with its delivery log; nothing more is sent to it.
pub async fn delete(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: WebhookId,
) -> kernel::Result<()> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let url = diesel::delete(of_clinic(clinic, id))
            .returning(outbound_webhooks::url)
            .get_result::<String>(connection)
            .await
            .optional()?
            .ok_or(NOT_FOUND)?;
        let changes = json!({ "url": without_query(&url) });
        audit::record(connection, entry(principal, "webhook.deleted", id).with_changes(changes)).await
    })
    .await
}

/// Sends to the clinic's endpoint `id` again after it was disabled, its
/// failure count reset. Deliveries given up while it was disabled stay
/// failed (send them with [`redeliver`]).
pub async fn enable(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: WebhookId,
) -> kernel::Result<Endpoint> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let endpoint = diesel::update(of_clinic(clinic, id))
            .set((
                outbound_webhooks::disabled_at.eq(None::<DateTime<Utc>>),
                outbound_webhooks::disabled_reason.eq(None::<String>),
                outbound_webhooks::failures_in_a_row.eq(0),
            ))
            .returning(Endpoint::as_returning())
            .get_result(connection)
            .await
            .optional()?
            .ok_or(NOT_FOUND)?;
        audit::record(connection, entry(principal, "webhook.enabled", id)).await?;
        Ok(endpoint)
    })
    .await
}

/// The endpoint's latest [`DELIVERY_LOG_LENGTH`] deliveries, newest first,
/// each with its attempts.
pub async fn deliveries(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: WebhookId,
) -> kernel::Result<Vec<(DeliveryRow, Vec<AttemptRow>)>> {
    admin_of(principal, clinic)?;
    exists(connection, clinic, id).await?;
    let deliveries: Vec<DeliveryRow> = outbound_webhook_deliveries::table
        .filter(outbound_webhook_deliveries::endpoint_id.eq(id))
        .order((outbound_webhook_deliveries::created_at.desc(), outbound_webhook_deliveries::event_id.desc()))
        .limit(DELIVERY_LOG_LENGTH)
        .select(DeliveryRow::as_select())
        .load(connection)
        .await?;
    let events: Vec<WebhookEventId> = deliveries.iter().map(|delivery| delivery.event_id).collect();
    let attempts: Vec<(WebhookEventId, AttemptRow)> = outbound_webhook_attempts::table
        .filter(outbound_webhook_attempts::endpoint_id.eq(id))
        .filter(outbound_webhook_attempts::event_id.eq_any(&events))
        .order(outbound_webhook_attempts::id)
        .select((outbound_webhook_attempts::event_id, AttemptRow::as_select()))
        .load(connection)
        .await?;
    Ok(deliveries
        .into_iter()
        .map(|delivery| {
            let log =
                attempts.iter().filter(|(event, _)| *event == delivery.event_id).map(|(_, attempt)| attempt.clone());
            let log = log.collect();
            (delivery, log)
        })
        .collect())
}

/// Sends event `event` to the endpoint once more (under the same
/// `webhook-id`, so a receiver that already has it can tell), whether it was
/// delivered or given up. 409 while it is still pending or the endpoint is
/// disabled.
pub async fn redeliver(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: WebhookId,
    event: WebhookEventId,
) -> kernel::Result<DeliveryRow> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let disabled = of_clinic(clinic, id)
            .select(outbound_webhooks::disabled_at.is_not_null())
            .for_update()
            .get_result::<bool>(connection)
            .await
            .optional()?
            .ok_or(NOT_FOUND)?;
        let delivery = outbound_webhook_deliveries::table
            .find((id, event))
            .select(DeliveryRow::as_select())
            .for_update()
            .get_result(connection)
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "delivery" })?;
        if disabled {
            return Err(kernel::Error::conflict("the webhook is disabled: enable it first"));
        }
        if delivery.status == DeliveryState::Pending {
            return Err(kernel::Error::conflict("the delivery is still being attempted"));
        }
        let delivery = diesel::update(outbound_webhook_deliveries::table.find((id, event)))
            .set((
                outbound_webhook_deliveries::status.eq(DeliveryState::Pending),
                outbound_webhook_deliveries::finished_at.eq(None::<DateTime<Utc>>),
            ))
            .returning(DeliveryRow::as_returning())
            .get_result(connection)
            .await?;
        jobs::enqueue_each(connection, &[deliver::job(id, event)]).await?;
        audit::record(
            connection,
            entry(principal, "webhook.redelivered", id).with_changes(json!({ "event_id": event })),
        )
        .await?;
        Ok(delivery)
    })
    .await
}

const NOT_FOUND: kernel::Error = kernel::Error::NotFound { resource: "webhook" };

fn admin_of(principal: &Principal, clinic: ClinicId) -> kernel::Result<()> {
    principal.require_staff(clinic, &[Role::ClinicAdmin])
}

/// The clinic's endpoint `id` (another clinic's is not found).
fn of_clinic(clinic: ClinicId, id: WebhookId) -> Filter<outbound_webhooks::table, OfClinic> {
    outbound_webhooks::table.filter(outbound_webhooks::id.eq(id).and(outbound_webhooks::clinic_id.eq(clinic)))
}

type OfClinic = And<Eq<outbound_webhooks::id, WebhookId>, Eq<outbound_webhooks::clinic_id, ClinicId>>;

async fn exists(connection: &mut AsyncPgConnection, clinic: ClinicId, id: WebhookId) -> kernel::Result<()> {
    let found = diesel::select(diesel::dsl::exists(of_clinic(clinic, id))).get_result::<bool>(connection).await?;
    if found { Ok(()) } else { Err(NOT_FOUND) }
}

fn entry(principal: &Principal, action: &'static str, id: WebhookId) -> AuditEntry {
    AuditEntry::new(Some(principal.user_id), action, "webhook", id)
}
