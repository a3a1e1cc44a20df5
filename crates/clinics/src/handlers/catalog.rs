//! `/api/v1/clinics/{id}/services` and `/rooms`.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, RoomId, ServiceId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{RoomSpec, RoomView, ServiceOffer, ServiceView};
use crate::service::catalog;

/// The clinic's services.
#[utoipa::path(
    tag = "clinics",
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    responses((status = 200, body = Vec<ServiceView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/clinics/{id}/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    id: web::Path<ClinicId>,
) -> Result<web::Json<Vec<ServiceView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(catalog::services(&mut connection, *id).await?))
}

/// Adds a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = ServiceOffer,
    responses(
        (status = 201, body = Vec<ServiceView>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/clinics/{id}/services")]
pub async fn add_service(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    offer: web::Json<ServiceOffer>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*offer)?;
    let mut connection = db::connect(state.db()).await?;
    catalog::add_service(&mut connection, &caller, *id, &offer).await?;
    Ok(HttpResponse::Created().json(catalog::services(&mut connection, *id).await?))
}

/// Replaces a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Clinic id"),
        ("service_id" = String, Path, format = Uuid, description = "Service id"),
    ),
    request_body = ServiceOffer,
    responses(
        (status = 200, body = Vec<ServiceView>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/clinics/{id}/services/{service_id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ServiceId)>,
    offer: web::Json<ServiceOffer>,
) -> Result<web::Json<Vec<ServiceView>>, ApiError> {
    platform::validate(&*offer)?;
    let (clinic, service) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    catalog::update_service(&mut connection, &caller, clinic, service, &offer).await?;
    Ok(web::Json(catalog::services(&mut connection, clinic).await?))
}

/// Withdraws a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Clinic id"),
        ("service_id" = String, Path, format = Uuid, description = "Service id"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/clinics/{id}/services/{service_id}")]
pub async fn withdraw_service(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ServiceId)>,
) -> Result<HttpResponse, ApiError> {
    let (clinic, service) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    catalog::withdraw_service(&mut connection, &caller, clinic, service).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The clinic's rooms and equipment (its staff).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    responses(
        (status = 200, body = Vec<RoomView>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/clinics/{id}/rooms")]
pub async fn list_rooms(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
) -> Result<web::Json<Vec<RoomView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(catalog::rooms(&mut connection, &caller, *id).await?))
}

/// Adds a room (clinic admins); a name already used is a 409.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = RoomSpec,
    responses(
        (status = 201, body = RoomView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/clinics/{id}/rooms")]
pub async fn add_room(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    spec: web::Json<RoomSpec>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*spec)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(catalog::add_room(&mut connection, &caller, *id, &spec).await?))
}

/// Removes a room (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Clinic id"),
        ("room_id" = String, Path, format = Uuid, description = "Room id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/clinics/{id}/rooms/{room_id}")]
pub async fn remove_room(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, RoomId)>,
) -> Result<HttpResponse, ApiError> {
    let (clinic, room) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    catalog::remove_room(&mut connection, &caller, clinic, room).await?;
    Ok(HttpResponse::NoContent().finish())
}
