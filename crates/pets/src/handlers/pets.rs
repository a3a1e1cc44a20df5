//! `/api/v1/pets`: profiles and weights; `/api/v1/clinics/{id}/patients`.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, Page, PetId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, PageQuery, ValidJson, ValidQuery};

use crate::api::{PatientSearch, PatientView, PetProfile, PetView, WeightEntry, WeightView};
use crate::service::{patients, pets, weights};

/// The caller's pets (primary and co-owned), newest first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<PetView>), StandardErrors)
)]
#[get("/pets")]
pub async fn list_my_pets(
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<PetView>>, ApiError> {
    let page = page.page_request()?;
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
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets")]
pub async fn create_pet(
    CurrentUser(caller): CurrentUser,
    ValidJson(profile): ValidJson<PetProfile>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(pets::create(&mut connection, &caller, &profile).await?))
}

/// One pet (its owners, caring clinics' staff, platform admins).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = []), ("api_key" = ["patients:read"])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = PetView), NotFound, StandardErrors)
)]
#[get("/pets/{id}")]
pub async fn get_pet(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<PetView>, ApiError> {
    Ok(web::Json(pets::get(&mut connection, &caller, *id).await?))
}

/// Replaces the profile (owners, platform admins); audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = PetProfile,
    responses(
        (status = 200, body = PetView),
        Forbidden,
        NotFound,
        (status = 409, description = "The microchip belongs to another pet", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/pets/{id}")]
pub async fn update_pet(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(profile): ValidJson<PetProfile>,
    mut connection: Db,
) -> Result<web::Json<PetView>, ApiError> {
    Ok(web::Json(pets::update(&mut connection, &caller, *id, &profile).await?))
}

/// Deletes the pet for its owners (the primary owner); clinics keep its records.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses(
        (status = 204, description = "Deleted"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/pets/{id}")]
pub async fn delete_pet(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    pets::delete(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The weight history, most recent first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id"), PageQuery),
    responses((status = 200, body = Page<WeightView>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/weights")]
pub async fn list_weights(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<WeightView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(weights::list(&mut connection, &caller, *id, &page).await?))
}

/// Records a weighing in any unit; it is stored in kilograms.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = WeightEntry,
    responses(
        (status = 201, body = WeightView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/weights")]
pub async fn add_weight(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(entry): ValidJson<WeightEntry>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(weights::add(&mut connection, &caller, *id, &entry).await?))
}

/// The clinic's patients by pet name, owner name or microchip (its staff).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = []), ("api_key" = ["patients:read"])),
    params(("id" = ClinicId, Path, description = "Clinic id"), PatientSearch, PageQuery),
    responses(
        (status = 200, body = Page<PatientView>),
        Forbidden,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/patients")]
pub async fn search_patients(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidQuery(search): ValidQuery<PatientSearch>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<PatientView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(patients::search(&mut connection, &caller, *id, &search, &page).await?))
}
