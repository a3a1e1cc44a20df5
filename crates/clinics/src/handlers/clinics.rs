//! `/api/v1/clinics`: search, profiles, hours, emergency status.

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{ClinicId, Page};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, MaybeUser, PageQuery, ValidJson, ValidQuery};

use crate::api::{ClinicProfile, ClinicSearch, ClinicView, EmergencyStatusUpdate, OpeningHours};
use crate::service::{clinics, search};

/// Clinics near a point (nearest first, with `distance_km`) or matching filters.
#[utoipa::path(
    tag = "clinics",
    params(ClinicSearch, PageQuery),
    responses((status = 200, body = Page<ClinicView>), InvalidQuery, StandardErrors)
)]
#[get("/clinics")]
pub async fn search_clinics(
    ValidQuery(filter): ValidQuery<ClinicSearch>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<ClinicView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(search::clinics(&mut connection, &filter, &page).await?))
}

/// Creates a clinic (platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    request_body = ClinicProfile,
    responses(
        (status = 201, body = ClinicView),
        Forbidden,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics")]
pub async fn create_clinic(
    CurrentUser(caller): CurrentUser,
    ValidJson(profile): ValidJson<ClinicProfile>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(clinics::create(&mut connection, &caller, &profile).await?))
}

/// One clinic.
#[utoipa::path(
    tag = "clinics",
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = ClinicView), NotFound, StandardErrors)
)]
#[get("/clinics/{id}")]
pub async fn get_clinic(
    MaybeUser(caller): MaybeUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    Ok(web::Json(clinics::get(&mut connection, caller.as_ref(), *id).await?))
}

/// Takes a clinic off the platform (platform admins; audited): hidden from
/// search and its public page, no bookings; its staff keep its calendar.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = ClinicView), Forbidden, NotFound, StandardErrors)
)]
#[post("/clinics/{id}/deactivate")]
pub async fn deactivate_clinic(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    Ok(web::Json(clinics::set_active(&mut connection, &caller, *id, false).await?))
}

/// Brings a deactivated clinic back (platform admins; audited).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = ClinicView), Forbidden, NotFound, StandardErrors)
)]
#[post("/clinics/{id}/reactivate")]
pub async fn reactivate_clinic(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    Ok(web::Json(clinics::set_active(&mut connection, &caller, *id, true).await?))
}

/// Replaces a clinic's profile (its clinic admins, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ClinicProfile,
    responses(
        (status = 200, body = ClinicView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}")]
pub async fn update_clinic(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(profile): ValidJson<ClinicProfile>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    Ok(web::Json(clinics::update(&mut connection, &caller, *id, &profile).await?))
}

/// Weekly opening hours and dated exceptions.
#[utoipa::path(
    tag = "clinics",
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = OpeningHours), NotFound, StandardErrors)
)]
#[get("/clinics/{id}/hours")]
pub async fn get_hours(id: web::Path<ClinicId>, mut connection: Db) -> Result<web::Json<OpeningHours>, ApiError> {
    Ok(web::Json(clinics::hours(&mut connection, *id).await?))
}

/// Replaces the opening hours (its clinic admins, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = OpeningHours,
    responses(
        (status = 200, body = OpeningHours),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/hours")]
pub async fn put_hours(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(hours): ValidJson<OpeningHours>,
    mut connection: Db,
) -> Result<web::Json<OpeningHours>, ApiError> {
    Ok(web::Json(clinics::set_hours(&mut connection, &caller, *id, &hours).await?))
}

/// Sets the live emergency status (any staff of the clinic).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = EmergencyStatusUpdate,
    responses(
        (status = 200, body = ClinicView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/emergency-status")]
pub async fn put_emergency_status(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(update): ValidJson<EmergencyStatusUpdate>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    Ok(web::Json(clinics::set_emergency_status(&mut connection, &caller, *id, &update).await?))
}
