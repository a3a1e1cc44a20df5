//! `/api/v1/vets`: profiles, search, working hours, time off.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, Page, TimeOffId, UserId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::api::{TimeOffRequest, TimeOffView, VetProfile, VetSearch, VetView, WorkingWeek};
use crate::service::vets;

/// Veterinarians near a point (nearest clinic first) or matching filters.
#[utoipa::path(
    tag = "vets",
    params(VetSearch, PageQuery),
    responses((status = 200, body = Page<VetView>), (status = 422, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/vets")]
pub async fn search_vets(
    state: web::Data<AppState>,
    filter: web::Query<VetSearch>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<VetView>>, ApiError> {
    platform::validate(&*filter)?;
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::search(&mut connection, &filter, &page).await?))
}

/// Creates or replaces the caller's own vet profile (veterinarians).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    request_body = VetProfile,
    responses(
        (status = 200, body = VetView),
        (status = 403, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/vets/me")]
pub async fn put_my_profile(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    profile: web::Json<VetProfile>,
) -> Result<web::Json<VetView>, ApiError> {
    platform::validate(&*profile)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::put_own_profile(&mut connection, &caller, &profile).await?))
}

/// The caller's own vet profile.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    responses((status = 200, body = VetView), (status = 404, description = "No profile yet", body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/vets/me")]
pub async fn get_my_profile(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<VetView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::get(&mut connection, caller.user_id).await?))
}

/// One veterinarian.
#[utoipa::path(
    tag = "vets",
    params(("id" = String, Path, format = Uuid, description = "The vet's user id")),
    responses((status = 200, body = VetView), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/vets/{id}")]
pub async fn get_vet(state: web::Data<AppState>, id: web::Path<UserId>) -> Result<web::Json<VetView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::get(&mut connection, *id).await?))
}

/// The vet's weekly hours at a clinic (that clinic's local time).
#[utoipa::path(
    tag = "vets",
    params(
        ("id" = String, Path, format = Uuid, description = "The vet's user id"),
        ("clinic_id" = String, Path, format = Uuid, description = "Clinic id"),
    ),
    responses((status = 200, body = WorkingWeek), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/vets/{id}/clinics/{clinic_id}/hours")]
pub async fn get_working_hours(
    state: web::Data<AppState>,
    path: web::Path<(UserId, ClinicId)>,
) -> Result<web::Json<WorkingWeek>, ApiError> {
    let (vet, clinic) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::working_hours(&mut connection, vet, clinic).await?))
}

/// Replaces the vet's weekly hours at a clinic (the vet, the clinic's admins and receptionists).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "The vet's user id"),
        ("clinic_id" = String, Path, format = Uuid, description = "Clinic id"),
    ),
    request_body = WorkingWeek,
    responses(
        (status = 200, body = WorkingWeek),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/vets/{id}/clinics/{clinic_id}/hours")]
pub async fn put_working_hours(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(UserId, ClinicId)>,
    week: web::Json<WorkingWeek>,
) -> Result<web::Json<WorkingWeek>, ApiError> {
    platform::validate(&*week)?;
    let (vet, clinic) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::set_working_hours(&mut connection, &caller, vet, clinic, &week).await?))
}

/// The vet's time off (the vet, their clinics' admins and receptionists).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The vet's user id")),
    responses(
        (status = 200, body = Vec<TimeOffView>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/vets/{id}/time-off")]
pub async fn list_time_off(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
) -> Result<web::Json<Vec<TimeOffView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(vets::time_off(&mut connection, &caller, *id).await?))
}

/// Books time off; overlapping another period is a 409.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The vet's user id")),
    request_body = TimeOffRequest,
    responses(
        (status = 201, body = TimeOffView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/vets/{id}/time-off")]
pub async fn add_time_off(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    request: web::Json<TimeOffRequest>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*request)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(vets::add_time_off(&mut connection, &caller, *id, &request).await?))
}

/// Cancels time off.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "The vet's user id"),
        ("time_off_id" = String, Path, format = Uuid, description = "Time off id"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/vets/{id}/time-off/{time_off_id}")]
pub async fn remove_time_off(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(UserId, TimeOffId)>,
) -> Result<HttpResponse, ApiError> {
    let (vet, time_off) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    vets::remove_time_off(&mut connection, &caller, vet, time_off).await?;
    Ok(HttpResponse::NoContent().finish())
}
