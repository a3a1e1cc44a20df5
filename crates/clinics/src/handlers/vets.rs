//! `/api/v1/vets`: profiles, search, working hours, time off.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, Page, TimeOffId, UserId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, PageQuery, ValidJson, ValidQuery};

use crate::api::{TimeOffRequest, TimeOffView, VetProfile, VetSearch, VetView, WorkingWeek};
use crate::service::vets;

/// Veterinarians near a point (nearest clinic first) or matching filters.
#[utoipa::path(
    tag = "vets",
    params(VetSearch, PageQuery),
    responses((status = 200, body = Page<VetView>), InvalidQuery, StandardErrors)
)]
#[get("/vets")]
pub async fn search_vets(
    ValidQuery(filter): ValidQuery<VetSearch>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<VetView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(vets::search(&mut connection, &filter, &page).await?))
}

/// Creates or replaces the caller's own vet profile (veterinarians).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    request_body = VetProfile,
    responses(
        (status = 200, body = VetView),
        Forbidden,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/vets/me")]
pub async fn put_my_profile(
    CurrentUser(caller): CurrentUser,
    ValidJson(profile): ValidJson<VetProfile>,
    mut connection: Db,
) -> Result<web::Json<VetView>, ApiError> {
    Ok(web::Json(vets::put_own_profile(&mut connection, &caller, &profile).await?))
}

/// The caller's own vet profile.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    responses((status = 200, body = VetView), (status = 404, description = "No profile yet", body = ErrorEnvelope), StandardErrors)
)]
#[get("/vets/me")]
pub async fn get_my_profile(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<VetView>, ApiError> {
    Ok(web::Json(vets::get(&mut connection, caller.user_id).await?))
}

/// One veterinarian.
#[utoipa::path(
    tag = "vets",
    params(("id" = UserId, Path, description = "The vet's user id")),
    responses((status = 200, body = VetView), NotFound, StandardErrors)
)]
#[get("/vets/{id}")]
pub async fn get_vet(id: web::Path<UserId>, mut connection: Db) -> Result<web::Json<VetView>, ApiError> {
    Ok(web::Json(vets::get(&mut connection, *id).await?))
}

/// The vet's weekly hours at a clinic (that clinic's local time).
#[utoipa::path(
    tag = "vets",
    params(
        ("id" = UserId, Path, description = "The vet's user id"),
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
    ),
    responses((status = 200, body = WorkingWeek), NotFound, StandardErrors)
)]
#[get("/vets/{id}/clinics/{clinic_id}/hours")]
pub async fn get_working_hours(
    path: web::Path<(UserId, ClinicId)>,
    mut connection: Db,
) -> Result<web::Json<WorkingWeek>, ApiError> {
    let (vet, clinic) = path.into_inner();
    Ok(web::Json(vets::working_hours(&mut connection, vet, clinic).await?))
}

/// Replaces the vet's weekly hours at a clinic (the vet, the clinic's admins and receptionists).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(
        ("id" = UserId, Path, description = "The vet's user id"),
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
    ),
    request_body = WorkingWeek,
    responses(
        (status = 200, body = WorkingWeek),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/vets/{id}/clinics/{clinic_id}/hours")]
pub async fn put_working_hours(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(UserId, ClinicId)>,
    ValidJson(week): ValidJson<WorkingWeek>,
    mut connection: Db,
) -> Result<web::Json<WorkingWeek>, ApiError> {
    let (vet, clinic) = path.into_inner();
    Ok(web::Json(vets::set_working_hours(&mut connection, &caller, vet, clinic, &week).await?))
}

/// The vet's time off (the vet, their clinics' admins and receptionists).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "The vet's user id")),
    responses(
        (status = 200, body = Vec<TimeOffView>),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[get("/vets/{id}/time-off")]
pub async fn list_time_off(
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    mut connection: Db,
) -> Result<web::Json<Vec<TimeOffView>>, ApiError> {
    Ok(web::Json(vets::time_off(&mut connection, &caller, *id).await?))
}

/// Books time off; overlapping another period is a 409.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "The vet's user id")),
    request_body = TimeOffRequest,
    responses(
        (status = 201, body = TimeOffView),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/vets/{id}/time-off")]
pub async fn add_time_off(
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    ValidJson(request): ValidJson<TimeOffRequest>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(vets::add_time_off(&mut connection, &caller, *id, &request).await?))
}

/// Cancels time off.
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(
        ("id" = UserId, Path, description = "The vet's user id"),
        ("time_off_id" = TimeOffId, Path, description = "Time off id"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/vets/{id}/time-off/{time_off_id}")]
pub async fn remove_time_off(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(UserId, TimeOffId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (vet, time_off) = path.into_inner();
    vets::remove_time_off(&mut connection, &caller, vet, time_off).await?;
    Ok(HttpResponse::NoContent().finish())
}
