//! `POST /webhooks/clerk`: user lifecycle events from Clerk, signed by Svix.

use actix_web::{HttpRequest, HttpResponse, post, web};
use platform::personal_data::Holders;
use platform::{ApiError, AppState, ErrorEnvelope};
use secrecy::ExposeSecret;

use crate::Settings;
use crate::service::sync;
use crate::webhook::clerk_event;
use platform::webhook_signature::{self as signature, SignatureError, SignedDelivery};

/// Applies a Clerk `user.created`, `user.updated` or `user.deleted` event; any
/// other type is acknowledged and ignored. The signature is checked on the raw
/// body before anything is parsed or written; a redelivery has no second effect.
#[utoipa::path(
    tag = "webhooks",
    request_body(content = Object, description = "A Clerk webhook event", content_type = "application/json"),
    params(
        ("svix-id" = String, Header, min_length = 1, max_length = 200, description = "Message id"),
        ("svix-timestamp" = String, Header, pattern = "^[0-9]{1,12}$", description = "Seconds since the epoch"),
        ("svix-signature" = String, Header, pattern = "^v1,[A-Za-z0-9+/]{43}=$",
         description = "Space-separated `v1,<base64>` signatures"),
    ),
    responses(
        (status = 204, description = "Applied, or already applied, or ignored"),
        (status = 400, description = "Malformed Svix headers, or not a Clerk event", body = ErrorEnvelope),
        (status = 401, description = "The signature does not verify, or is too old or too new", body = ErrorEnvelope),
        (status = 409, description = "Conflicts with stored data; Clerk retries", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope),
        (status = 503, description = "Webhooks not configured, or database down", body = ErrorEnvelope),
    )
)]
#[post("/webhooks/clerk")]
pub async fn clerk_webhook(
    state: web::Data<AppState>,
    settings: web::Data<Settings>,
    holders: web::Data<Holders>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let secret = settings
        .clerk_webhook_secret
        .as_ref()
        .ok_or(ApiError::Domain(kernel::Error::Unavailable { dependency: "webhook configuration" }))?;
    let header = |name| request.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let delivery = SignedDelivery {
        id: header("svix-id"),
        timestamp: header("svix-timestamp"),
        signatures: header("svix-signature"),
    };
    let now = state.clock().now();
    let tolerance = settings.webhook_tolerance_secs;
    signature::verify(secret.expose_secret(), delivery, &body, now.timestamp(), tolerance).map_err(refused)?;
    let (event_type, event) = clerk_event::parse(&body).map_err(|error| ApiError::BadRequest {
        code: "MALFORMED_EVENT",
        message: format!("not a Clerk user event: {error}"),
    })?;

    // Only a verified delivery takes a database connection.
    let mut connection = db::connect(state.db()).await?;
    let stale = db::transaction(&mut connection, async |connection| {
        if !sync::first_delivery(connection, "clerk", delivery.id, &event_type, now).await? {
            return Ok(None);
        }
        sync::apply(connection, &holders, &event, now).await
    })
    .await?;
    if let Some(clerk_id) = stale {
        state.principals().invalidate(&clerk_id).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

fn refused(error: SignatureError) -> ApiError {
    match error {
        SignatureError::Malformed(reason) => {
            ApiError::BadRequest { code: "MALFORMED_SIGNATURE", message: reason.to_owned() }
        }
        SignatureError::OutsideTolerance | SignatureError::NoMatch => ApiError::InvalidSignature,
        SignatureError::BadSecret => {
            tracing::error!("accounts.clerk_webhook_secret is not `whsec_<base64>`");
            ApiError::Domain(kernel::Error::Unavailable { dependency: "webhook configuration" })
        }
    }
}
