//! `/api/v1/clinics/{id}/webhooks`: a clinic's outgoing webhooks (its admins).

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{ClinicId, WebhookEventId, WebhookId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use super::api::{DeliveryView, EndpointView, IssuedEndpoint, NewEndpoint};
use super::{Guard, endpoints};

/// The clinic's webhook endpoints, never their secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<EndpointView>), Forbidden, StandardErrors)
)]
#[get("/clinics/{id}/webhooks")]
pub async fn list_webhooks(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<EndpointView>>, ApiError> {
    let endpoints = endpoints::list(&mut connection, &caller, *id).await?;
    Ok(web::Json(endpoints.into_iter().map(EndpointView::from).collect()))
}

/// Registers an endpoint for the clinic's events. Its URL must be `https://`
/// on a public address (checked now and at every delivery). The answer
/// holds the signing secret, the only time it is shown.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = NewEndpoint,
    responses(
        (status = 201, body = IssuedEndpoint),
        Forbidden,
        (status = 409, description = "The clinic has as many webhooks as it may", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/webhooks")]
pub async fn create_webhook(
    guard: web::Data<Guard>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<NewEndpoint>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let endpoint = endpoints::create(&mut connection, &caller, *id, &request, &guard, now).await?;
    let secret = endpoint.secret.clone();
    Ok(HttpResponse::Created().json(IssuedEndpoint { endpoint: endpoint.into(), secret }))
}

/// Deletes an endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("webhook_id" = WebhookId, Path, description = "Webhook id"),
    ),
    responses((status = 204, description = "Deleted"), Forbidden, NotFound, StandardErrors)
)]
#[delete("/clinics/{id}/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, WebhookId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, webhook) = path.into_inner();
    endpoints::delete(&mut connection, &caller, clinic, webhook).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends to an endpoint again after it was disabled (its failure count reset).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("webhook_id" = WebhookId, Path, description = "Webhook id"),
    ),
    responses((status = 200, body = EndpointView), Forbidden, NotFound, StandardErrors)
)]
#[post("/clinics/{id}/webhooks/{webhook_id}/enable")]
pub async fn enable_webhook(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, WebhookId)>,
    mut connection: Db,
) -> Result<web::Json<EndpointView>, ApiError> {
    let (clinic, webhook) = path.into_inner();
    Ok(web::Json(endpoints::enable(&mut connection, &caller, clinic, webhook).await?.into()))
}

/// The endpoint's latest 100 deliveries, newest first, each with every
/// attempt and the receiver's answer.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("webhook_id" = WebhookId, Path, description = "Webhook id"),
    ),
    responses((status = 200, body = Vec<DeliveryView>), Forbidden, NotFound, StandardErrors)
)]
#[get("/clinics/{id}/webhooks/{webhook_id}/deliveries")]
pub async fn list_webhook_deliveries(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, WebhookId)>,
    mut connection: Db,
) -> Result<web::Json<Vec<DeliveryView>>, ApiError> {
    let (clinic, webhook) = path.into_inner();
    let deliveries = endpoints::deliveries(&mut connection, &caller, clinic, webhook).await?;
    Ok(web::Json(deliveries.into_iter().map(|(delivery, log)| DeliveryView::new(delivery, log)).collect()))
}

/// Sends an event to the endpoint once more, under the same `webhook-id`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("webhook_id" = WebhookId, Path, description = "Webhook id"),
        ("event_id" = WebhookEventId, Path, description = "The event's id (its webhook-id)"),
    ),
    responses(
        (status = 202, body = DeliveryView, description = "Queued"),
        Forbidden,
        NotFound,
        (status = 409, description = "Still being attempted, or the webhook is disabled", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/clinics/{id}/webhooks/{webhook_id}/deliveries/{event_id}/redeliver")]
pub async fn redeliver_webhook(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, WebhookId, WebhookEventId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, webhook, event) = path.into_inner();
    let delivery = endpoints::redeliver(&mut connection, &caller, clinic, webhook, event).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::new(delivery, Vec::new())))
}
