//! `/api/v1/pets/{id}/records`: the medical timeline, records, addenda,
//! history and the vaccination summary.

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{Page, PetId, RecordId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::api::{AddendumDraft, HistoryEntry, RecordDraft, RecordFilter, RecordView, VaccinationStatus};
use crate::service::records;

/// The medical timeline, newest record date first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id"), RecordFilter, PageQuery),
    responses(
        (status = 200, body = Page<RecordView>),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/pets/{id}/records")]
pub async fn list_records(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    filter: web::Query<RecordFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<RecordView>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(records::timeline(&mut connection, &caller, *id, &filter, &page).await?))
}

/// Adds a record: owners as themselves, clinicians for a clinic caring for the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = RecordDraft,
    responses(
        (status = 201, body = RecordView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/records")]
pub async fn create_record(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    draft: web::Json<RecordDraft>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*draft)?;
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().pets;
    Ok(HttpResponse::Created().json(records::create(&mut connection, &caller, settings, *id, &draft).await?))
}

/// One record with its addenda.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("record_id" = String, Path, format = Uuid, description = "Record id"),
    ),
    responses((status = 200, body = RecordView), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/records/{record_id}")]
pub async fn get_record(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
) -> Result<web::Json<RecordView>, ApiError> {
    let (pet, record) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(records::get(&mut connection, &caller, pet, record).await?))
}

/// Edits a record: its author, within 24 hours of creating it (then 409: add an addendum).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("record_id" = String, Path, format = Uuid, description = "Record id"),
    ),
    request_body = RecordDraft,
    responses(
        (status = 200, body = RecordView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "Locked: add an addendum", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/pets/{id}/records/{record_id}")]
pub async fn update_record(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    draft: web::Json<RecordDraft>,
) -> Result<web::Json<RecordView>, ApiError> {
    platform::validate(&*draft)?;
    let (pet, record) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().pets;
    Ok(web::Json(records::update(&mut connection, &caller, settings, pet, record, &draft).await?))
}

/// Adds an addendum, the way to change a locked record.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("record_id" = String, Path, format = Uuid, description = "Record id"),
    ),
    request_body = AddendumDraft,
    responses(
        (status = 201, body = RecordView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/records/{record_id}/addenda")]
pub async fn add_addendum(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    draft: web::Json<AddendumDraft>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*draft)?;
    let (pet, record) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(records::add_addendum(&mut connection, &caller, pet, record, &draft).await?))
}

/// Who created, edited and added to the record, and when.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("record_id" = String, Path, format = Uuid, description = "Record id"),
    ),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/records/{record_id}/history")]
pub async fn record_history(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let (pet, record) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(records::history(&mut connection, &caller, pet, record).await?))
}

/// Each vaccine's latest dose and whether it is current, due soon or overdue.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses((status = 200, body = Vec<VaccinationStatus>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/vaccinations")]
pub async fn vaccination_summary(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<web::Json<Vec<VaccinationStatus>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(records::vaccinations(&mut connection, &caller, &state.settings().pets, *id).await?))
}
