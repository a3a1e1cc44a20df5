//! `/api/v1/clinics/{id}/services` and `/rooms`.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, RoomId, ServiceId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, ValidJson};

use crate::api::{RoomSpec, RoomView, ServiceOffer, ServiceView};
use crate::service::catalog;

/// The clinic's services.
#[utoipa::path(
    tag = "clinics",
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<ServiceView>), NotFound, StandardErrors)
)]
#[get("/clinics/{id}/services")]
pub async fn list_services(
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<ServiceView>>, ApiError> {
    Ok(web::Json(catalog::services(&mut connection, *id).await?))
}

/// Adds a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = []), ("api_key" = ["catalog:write"])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ServiceOffer,
    responses(
        (status = 201, body = Vec<ServiceView>),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/services")]
pub async fn add_service(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(offer): ValidJson<ServiceOffer>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    catalog::add_service(&mut connection, &caller, *id, &offer).await?;
    Ok(HttpResponse::Created().json(catalog::services(&mut connection, *id).await?))
}

/// Replaces a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = []), ("api_key" = ["catalog:write"])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("service_id" = ServiceId, Path, description = "Service id"),
    ),
    request_body = ServiceOffer,
    responses(
        (status = 200, body = Vec<ServiceView>),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/services/{service_id}")]
pub async fn update_service(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ServiceId)>,
    ValidJson(offer): ValidJson<ServiceOffer>,
    mut connection: Db,
) -> Result<web::Json<Vec<ServiceView>>, ApiError> {
    let (clinic, service) = path.into_inner();
    catalog::update_service(&mut connection, &caller, clinic, service, &offer).await?;
    Ok(web::Json(catalog::services(&mut connection, clinic).await?))
}

/// Withdraws a service (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = []), ("api_key" = ["catalog:write"])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("service_id" = ServiceId, Path, description = "Service id"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/clinics/{id}/services/{service_id}")]
pub async fn withdraw_service(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ServiceId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, service) = path.into_inner();
    catalog::withdraw_service(&mut connection, &caller, clinic, service).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The clinic's rooms and equipment (its staff).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses(
        (status = 200, body = Vec<RoomView>),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/rooms")]
pub async fn list_rooms(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<RoomView>>, ApiError> {
    Ok(web::Json(catalog::rooms(&mut connection, &caller, *id).await?))
}

/// Adds a room (clinic admins); a name already used is a 409.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = RoomSpec,
    responses(
        (status = 201, body = RoomView),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/rooms")]
pub async fn add_room(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(spec): ValidJson<RoomSpec>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(catalog::add_room(&mut connection, &caller, *id, &spec).await?))
}

/// Removes a room (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("room_id" = RoomId, Path, description = "Room id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/clinics/{id}/rooms/{room_id}")]
pub async fn remove_room(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, RoomId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, room) = path.into_inner();
    catalog::remove_room(&mut connection, &caller, clinic, room).await?;
    Ok(HttpResponse::NoContent().finish())
}
