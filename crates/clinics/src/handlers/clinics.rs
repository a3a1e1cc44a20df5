//! `/api/v1/clinics`: search, profiles, hours, emergency status.

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{ClinicId, Page};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::api::{ClinicProfile, ClinicSearch, ClinicView, EmergencyStatusUpdate, OpeningHours};
use crate::service::{clinics, search};

/// Clinics near a point (nearest first, with `distance_km`) or matching filters.
#[utoipa::path(
    tag = "clinics",
    params(ClinicSearch, PageQuery),
    responses((status = 200, body = Page<ClinicView>), (status = 422, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/clinics")]
pub async fn search_clinics(
    state: web::Data<AppState>,
    filter: web::Query<ClinicSearch>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<ClinicView>>, ApiError> {
    platform::validate(&*filter)?;
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(search::clinics(&mut connection, &filter, &page).await?))
}

/// Creates a clinic (platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    request_body = ClinicProfile,
    responses(
        (status = 201, body = ClinicView),
        (status = 403, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/clinics")]
pub async fn create_clinic(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    profile: web::Json<ClinicProfile>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*profile)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(clinics::create(&mut connection, &caller, &profile).await?))
}

/// One clinic.
#[utoipa::path(
    tag = "clinics",
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    responses((status = 200, body = ClinicView), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/clinics/{id}")]
pub async fn get_clinic(
    state: web::Data<AppState>,
    id: web::Path<ClinicId>,
) -> Result<web::Json<ClinicView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(clinics::get(&mut connection, *id).await?))
}

/// Replaces a clinic's profile (its clinic admins, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = ClinicProfile,
    responses(
        (status = 200, body = ClinicView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/clinics/{id}")]
pub async fn update_clinic(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    profile: web::Json<ClinicProfile>,
) -> Result<web::Json<ClinicView>, ApiError> {
    platform::validate(&*profile)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(clinics::update(&mut connection, &caller, *id, &profile).await?))
}

/// Weekly opening hours and dated exceptions.
#[utoipa::path(
    tag = "clinics",
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    responses((status = 200, body = OpeningHours), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/clinics/{id}/hours")]
pub async fn get_hours(
    state: web::Data<AppState>,
    id: web::Path<ClinicId>,
) -> Result<web::Json<OpeningHours>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(clinics::hours(&mut connection, *id).await?))
}

/// Replaces the opening hours (its clinic admins, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = OpeningHours,
    responses(
        (status = 200, body = OpeningHours),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/clinics/{id}/hours")]
pub async fn put_hours(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    hours: web::Json<OpeningHours>,
) -> Result<web::Json<OpeningHours>, ApiError> {
    platform::validate(&*hours)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(clinics::set_hours(&mut connection, &caller, *id, &hours).await?))
}

/// Sets the live emergency status (any staff of the clinic).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = EmergencyStatusUpdate,
    responses(
        (status = 200, body = ClinicView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/clinics/{id}/emergency-status")]
pub async fn put_emergency_status(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    update: web::Json<EmergencyStatusUpdate>,
) -> Result<web::Json<ClinicView>, ApiError> {
    platform::validate(&*update)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(clinics::set_emergency_status(&mut connection, &caller, *id, &update).await?))
}
