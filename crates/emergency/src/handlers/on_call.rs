//! `/api/v1/vets/me/on-call` (the vet's shifts and "available now") and
//! `/api/v1/clinics/{id}/on-call` (the clinic's rota).

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, OnCallId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson, ValidQuery};

use crate::Settings;
use crate::api::{AvailableNow, OnCallView, RotaQuery, RotaShiftRequest, ShiftRequest};
use crate::service::on_call;

/// Declares an on-call shift for a clinic where the caller is a veterinarian;
/// an overlapping one is 409.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    request_body = ShiftRequest,
    responses(
        (status = 201, body = OnCallView),
        NotFound,
        (status = 409, description = "Already on call at that time", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/vets/me/on-call/shifts")]
pub async fn declare_shift(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    ValidJson(request): ValidJson<ShiftRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(on_call::declare(&mut connection, &caller, &settings, now, &request).await?))
}

/// The caller's on-call times that have not ended.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<OnCallView>), StandardErrors)
)]
#[get("/vets/me/on-call")]
pub async fn my_on_call(
    CurrentUser(caller): CurrentUser,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Vec<OnCallView>>, ApiError> {
    Ok(web::Json(on_call::mine(&mut connection, &caller, now).await?))
}

/// Switches "available now" on (where the caller is, for one of their
/// clinics) or off; answers the entry, or `null` when off.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    request_body = AvailableNow,
    responses(
        (status = 200, body = Option<OnCallView>),
        (status = 409, description = "A shift already covers now", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/vets/me/on-call/available-now")]
pub async fn set_available_now(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    ValidJson(request): ValidJson<AvailableNow>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Option<OnCallView>>, ApiError> {
    Ok(web::Json(on_call::set_available_now(&mut connection, &caller, &settings, now, &request).await?))
}

/// Removes one of the caller's on-call times (one under way ends now).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = OnCallId, Path, description = "On-call entry id")),
    responses((status = 204, description = "Removed"), NotFound, (status = 409, body = ErrorEnvelope), StandardErrors)
)]
#[delete("/vets/me/on-call/shifts/{id}")]
pub async fn remove_my_on_call(
    CurrentUser(caller): CurrentUser,
    id: web::Path<OnCallId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    on_call::remove(&mut connection, &caller, now, None, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The clinic's on-call rota (its staff).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), RotaQuery),
    responses((status = 200, body = Vec<OnCallView>), Forbidden, NotFound, InvalidQuery, StandardErrors)
)]
#[get("/clinics/{id}/on-call")]
pub async fn clinic_rota(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidQuery(query): ValidQuery<RotaQuery>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Vec<OnCallView>>, ApiError> {
    Ok(web::Json(on_call::rota(&mut connection, &caller, now, *id, &query).await?))
}

/// Puts one of the clinic's vets on the rota (its admins and receptionists).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = RotaShiftRequest,
    responses(
        (status = 201, body = OnCallView),
        Forbidden,
        NotFound,
        (status = 409, description = "The vet is already on call then", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/on-call")]
pub async fn add_to_rota(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<RotaShiftRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let view = on_call::add_to_rota(&mut connection, &caller, &settings, now, *id, &request).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Takes an entry off the clinic's rota (one under way ends now).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("entry_id" = OnCallId, Path, description = "On-call entry id")),
    responses((status = 204, description = "Removed"), Forbidden, NotFound, (status = 409, body = ErrorEnvelope), StandardErrors)
)]
#[delete("/clinics/{id}/on-call/{entry_id}")]
pub async fn remove_from_rota(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OnCallId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, entry) = path.into_inner();
    on_call::remove(&mut connection, &caller, now, Some(clinic), entry).await?;
    Ok(HttpResponse::NoContent().finish())
}
