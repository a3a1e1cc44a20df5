//! `/api/v1/pets`: profiles and weights; `/api/v1/clinics/{id}/patients`.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, Page, PetId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::api::{PatientSearch, PatientView, PetProfile, PetView, WeightEntry, WeightView};
use crate::service::{patients, pets, weights};

/// The caller's pets (primary and co-owned), newest first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<PetView>), StandardErrors)
)]
#[get("/api/v1/pets")]
pub async fn list_my_pets(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<PetView>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(pets::list_mine(&mut connection, &caller, &page).await?))
}

/// Registers a pet owned by the caller.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    request_body = PetProfile,
    responses(
        (status = 201, body = PetView),
        (status = 409, description = "The microchip belongs to another pet", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets")]
pub async fn create_pet(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    profile: web::Json<PetProfile>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*profile)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(pets::create(&mut connection, &caller, &profile).await?))
}

/// One pet (its owners, caring clinics' staff, platform admins).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses((status = 200, body = PetView), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}")]
pub async fn get_pet(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<web::Json<PetView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(pets::get(&mut connection, &caller, *id).await?))
}

/// Replaces the profile (owners, platform admins); audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = PetProfile,
    responses(
        (status = 200, body = PetView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "The microchip belongs to another pet", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/pets/{id}")]
pub async fn update_pet(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    profile: web::Json<PetProfile>,
) -> Result<web::Json<PetView>, ApiError> {
    platform::validate(&*profile)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(pets::update(&mut connection, &caller, *id, &profile).await?))
}

/// Deletes the pet for its owners (the primary owner); clinics keep its records.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/pets/{id}")]
pub async fn delete_pet(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    pets::delete(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The weight history, most recent first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id"), PageQuery),
    responses((status = 200, body = Page<WeightView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/weights")]
pub async fn list_weights(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<WeightView>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(weights::list(&mut connection, &caller, *id, &page).await?))
}

/// Records a weighing in any unit; it is stored in kilograms.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = WeightEntry,
    responses(
        (status = 201, body = WeightView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/weights")]
pub async fn add_weight(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    entry: web::Json<WeightEntry>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*entry)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(weights::add(&mut connection, &caller, *id, &entry).await?))
}

/// The clinic's patients by pet name, owner name or microchip (its staff).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id"), PatientSearch, PageQuery),
    responses(
        (status = 200, body = Page<PatientView>),
        (status = 403, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/clinics/{id}/patients")]
pub async fn search_patients(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    search: web::Query<PatientSearch>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<PatientView>>, ApiError> {
    platform::validate(&*search)?;
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(patients::search(&mut connection, &caller, *id, &search, &page).await?))
}
