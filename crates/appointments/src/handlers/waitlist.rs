//! `/api/v1/waitlist` and `/api/v1/waitlist-offers`.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{WaitlistEntryId, WaitlistOfferId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use crate::api::{AppointmentView, WaitlistEntryView, WaitlistRequest};
use crate::service::waitlist;

/// Joins the waitlist for a service in a date window (the pet's owners).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    request_body = WaitlistRequest,
    responses(
        (status = 201, body = WaitlistEntryView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/waitlist")]
pub async fn join_waitlist(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    ValidJson(request): ValidJson<WaitlistRequest>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(waitlist::join(&mut connection, &caller, &settings, &request).await?))
}

/// The caller's waitlist entries, with any open offer.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<WaitlistEntryView>), StandardErrors)
)]
#[get("/waitlist")]
pub async fn my_waitlist(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<Vec<WaitlistEntryView>>, ApiError> {
    Ok(web::Json(waitlist::mine(&mut connection, &caller).await?))
}

/// Leaves the waitlist.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = WaitlistEntryId, Path, description = "Waitlist entry id")),
    responses((status = 204, description = "Left"), NotFound, StandardErrors)
)]
#[delete("/waitlist/{id}")]
pub async fn leave_waitlist(
    CurrentUser(caller): CurrentUser,
    id: web::Path<WaitlistEntryId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    waitlist::leave(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Books the slot offered to the caller; 409 when it expired or was taken.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = WaitlistOfferId, Path, description = "Offer id")),
    responses(
        (status = 201, body = AppointmentView),
        NotFound,
        (status = 409, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/waitlist-offers/{id}/accept")]
pub async fn accept_offer(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<WaitlistOfferId>,
    mut connection: Db,
    Now(now): Now,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(waitlist::accept(&mut connection, &caller, &settings, now, *id).await?))
}
