//! `/api/v1/waitlist` and `/api/v1/waitlist-offers`.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{WaitlistEntryId, WaitlistOfferId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{AppointmentView, WaitlistEntryView, WaitlistRequest};
use crate::service::waitlist;

/// Joins the waitlist for a service in a date window (the pet's owners).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    request_body = WaitlistRequest,
    responses(
        (status = 201, body = WaitlistEntryView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/waitlist")]
pub async fn join_waitlist(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    request: web::Json<WaitlistRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().appointments;
    Ok(HttpResponse::Created().json(waitlist::join(&mut connection, &caller, settings, &request).await?))
}

/// The caller's waitlist entries, with any open offer.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<WaitlistEntryView>), StandardErrors)
)]
#[get("/api/v1/waitlist")]
pub async fn my_waitlist(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<Vec<WaitlistEntryView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(waitlist::mine(&mut connection, &caller).await?))
}

/// Leaves the waitlist.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Waitlist entry id")),
    responses((status = 204, description = "Left"), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[delete("/api/v1/waitlist/{id}")]
pub async fn leave_waitlist(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<WaitlistEntryId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    waitlist::leave(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Books the slot offered to the caller; 409 when it expired or was taken.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Offer id")),
    responses(
        (status = 201, body = AppointmentView),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/waitlist-offers/{id}/accept")]
pub async fn accept_offer(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<WaitlistOfferId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().appointments;
    Ok(HttpResponse::Created().json(waitlist::accept(&mut connection, &caller, settings, *id).await?))
}
