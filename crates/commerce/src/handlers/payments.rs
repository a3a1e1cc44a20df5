//! Payments: `POST /api/v1/orders/{id}/pay`, the clinic's refunds, and
//! `POST /webhooks/stripe`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use kernel::{ClinicId, OrderId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope, IdempotencyKey, Now, ValidJson};
use secrecy::ExposeSecret;

use crate::Settings;
use crate::api::{OrderView, PaymentSession, RefundRequest};
use crate::payments::Payments;
use crate::payments::stripe::event::Event;
use crate::payments::stripe::signature::{self, SignatureError};
use crate::service::{payments, refunds};

/// Starts paying an unpaid order online (its owner): the client secret of
/// the provider's payment form. Asked again, the same payment.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = OrderId, Path, description = "Order id")),
    responses(
        (status = 200, body = PaymentSession),
        NotFound,
        (status = 409, description = "Paid at the clinic, or not awaiting payment", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/orders/{id}/pay")]
pub async fn pay_order(
    gateway: web::Data<Payments>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<OrderId>,
    mut connection: Db,
) -> Result<web::Json<PaymentSession>, ApiError> {
    Ok(web::Json(payments::start(&mut connection, &caller, &gateway, *id).await?))
}

/// Pays back part or all of a paid order through its provider, returned
/// goods optionally back in stock (the clinic's admins and receptionists).
/// `Idempotency-Key` is required; never more than was received, even for
/// refunds asked at once.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("order_id" = OrderId, Path, description = "Order id"),
        (
            "Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$",
            description = "Required: 1 to 255 visible ASCII characters; a retry with it gets the first answer"
        ),
    ),
    request_body = RefundRequest,
    responses(
        (status = 201, body = OrderView),
        (status = 400, description = "No `Idempotency-Key`", body = ErrorEnvelope),
        Forbidden,
        NotFound,
        (status = 409, description = "Not paid, above what is left to refund (`details.refundable`), or refused by the provider", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/orders/{order_id}/refunds")]
pub async fn refund_order(
    gateway: web::Data<Payments>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OrderId)>,
    key: IdempotencyKey,
    ValidJson(request): ValidJson<RefundRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let Some(client_key) = key.0.clone() else {
        return Err(ApiError::BadRequest {
            code: "IDEMPOTENCY_KEY_REQUIRED",
            message: "send an Idempotency-Key header with a refund, and the same one with its retries".to_owned(),
        });
    };
    let at = path.into_inner();
    let operation = format!("POST /api/v1/clinics/{}/orders/{}/refunds", at.0, at.1);
    platform::idempotency::once(&mut connection, &caller, &key, &operation, &request, async |connection| {
        let order = refunds::refund(connection, &caller, &gateway, at, &request, &client_key, now).await?;
        Ok((StatusCode::CREATED, order))
    })
    .await
}

/// Stripe's events about payments (`payment_intent.succeeded`,
/// `…payment_failed`, `…canceled`; others are acknowledged). The
/// `Stripe-Signature` is checked on the raw body before anything is read;
/// each event id is applied once.
#[utoipa::path(
    tag = "webhooks",
    request_body(content = Object, description = "A Stripe event", content_type = "application/json"),
    params((
        "Stripe-Signature" = String, Header, pattern = "^t=[0-9]{1,12},v1=[0-9a-f]{64}(,v1=[0-9a-f]{64})*$",
        description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`, several `v1` while a secret rolls"
    )),
    responses(
        (status = 204, description = "Applied, already applied, or not acted on"),
        (status = 400, description = "A signature that does not verify, is too old or too new, or a body that is not an event", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope),
        (status = 503, description = "Stripe not configured, or the database down", body = ErrorEnvelope),
    )
)]
#[post("/webhooks/stripe")]
pub async fn stripe_webhook(
    state: web::Data<AppState>,
    settings: web::Data<Settings>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let secret = settings
        .stripe
        .webhook_secret
        .as_ref()
        .ok_or(ApiError::Domain(kernel::Error::Unavailable { dependency: "payment webhooks" }))?;
    let header = request.headers().get("Stripe-Signature").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let now = state.clock().now();
    signature::verify(secret.expose_secret(), header, &body, now.timestamp(), settings.stripe.webhook_tolerance_secs)
        .map_err(refused)?;
    let event: Event = serde_json::from_slice(&body).map_err(|error| ApiError::BadRequest {
        code: "MALFORMED_EVENT",
        message: format!("not a Stripe event: {error}"),
    })?;
    // Only a verified delivery takes a database connection.
    let mut connection = db::connect(state.db()).await?;
    payments::apply_stripe_event(&mut connection, &event, now).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn refused(error: SignatureError) -> ApiError {
    let message = match error {
        SignatureError::Malformed(reason) => reason,
        SignatureError::Stale => "the signature is too old or too new",
        SignatureError::NoMatch => "the signature does not verify",
    };
    ApiError::BadRequest { code: "INVALID_SIGNATURE", message: message.to_owned() }
}
