//! `/api/v1/pets/{id}/records`: the medical timeline, records, addenda,
//! history and the vaccination summary.

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{Page, PetId, RecordId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, PageQuery, ValidJson, ValidQuery};

use crate::api::{AddendumDraft, HistoryEntry, RecordDraft, RecordFilter, RecordView, VaccinationStatus};
use crate::service::records;

/// The medical timeline, newest record date first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = []), ("api_key" = ["patients:read"])),
    params(("id" = PetId, Path, description = "Pet id"), RecordFilter, PageQuery),
    responses(
        (status = 200, body = Page<RecordView>),
        NotFound,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/pets/{id}/records")]
pub async fn list_records(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidQuery(filter): ValidQuery<RecordFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<RecordView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(records::timeline(&mut connection, &caller, *id, &filter, &page).await?))
}

/// Adds a record: owners as themselves, clinicians for a clinic caring for the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = RecordDraft,
    responses(
        (status = 201, body = RecordView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/records")]
pub async fn create_record(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(draft): ValidJson<RecordDraft>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(records::create(&mut connection, &caller, &settings, *id, &draft).await?))
}

/// One record with its addenda.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
    ),
    responses((status = 200, body = RecordView), NotFound, StandardErrors)
)]
#[get("/pets/{id}/records/{record_id}")]
pub async fn get_record(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    mut connection: Db,
) -> Result<web::Json<RecordView>, ApiError> {
    let (pet, record) = path.into_inner();
    Ok(web::Json(records::get(&mut connection, &caller, pet, record).await?))
}

/// Edits a record: its author, within 24 hours of creating it (then 409: add an addendum).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
    ),
    request_body = RecordDraft,
    responses(
        (status = 200, body = RecordView),
        Forbidden,
        NotFound,
        (status = 409, description = "Locked: add an addendum", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/pets/{id}/records/{record_id}")]
pub async fn update_record(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    ValidJson(draft): ValidJson<RecordDraft>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<RecordView>, ApiError> {
    let (pet, record) = path.into_inner();
    Ok(web::Json(records::update(&mut connection, &caller, &settings, pet, record, &draft, now).await?))
}

/// Adds an addendum, the way to change a locked record.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
    ),
    request_body = AddendumDraft,
    responses(
        (status = 201, body = RecordView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/records/{record_id}/addenda")]
pub async fn add_addendum(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    ValidJson(draft): ValidJson<AddendumDraft>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (pet, record) = path.into_inner();
    Ok(HttpResponse::Created().json(records::add_addendum(&mut connection, &caller, pet, record, &draft).await?))
}

/// Who created, edited and added to the record, and when.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
    ),
    responses((status = 200, body = Vec<HistoryEntry>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/records/{record_id}/history")]
pub async fn record_history(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    mut connection: Db,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let (pet, record) = path.into_inner();
    Ok(web::Json(records::history(&mut connection, &caller, pet, record).await?))
}

/// Each vaccine's latest dose and whether it is current, due soon or overdue.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = Vec<VaccinationStatus>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/vaccinations")]
pub async fn vaccination_summary(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<Vec<VaccinationStatus>>, ApiError> {
    Ok(web::Json(records::vaccinations(&mut connection, &caller, &settings, *id).await?))
}
