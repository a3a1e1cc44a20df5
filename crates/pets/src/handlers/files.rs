//! A pet's photo and its records' attachments: attaching uploads, fetching
//! them (with the pet's access rules) and short-lived links for `<img src>`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use kernel::{MediaId, PetId, RecordId};
use media::{AttachRequest, LinkView, VariantQuery};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, ValidJson};

use crate::api::{PetView, RecordView};
use crate::service::{photos, records};

/// Sets the pet's photo to one of the caller's `pet_photo` uploads (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = AttachRequest,
    responses(
        (status = 200, body = PetView),
        Forbidden,
        (status = 404, description = "No such pet, or no unattached upload of the caller's", body = ErrorEnvelope),
        JsonBodyErrors,
        (status = 422, description = "Not an unattached upload of the caller's for this purpose", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/pets/{id}/photo")]
pub async fn set_photo(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(request): ValidJson<AttachRequest>,
    mut connection: Db,
) -> Result<web::Json<PetView>, ApiError> {
    Ok(web::Json(photos::set(&mut connection, &caller, *id, Some(request.media_id)).await?))
}

/// Removes the pet's photo (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses(
        (status = 204, description = "Removed"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/pets/{id}/photo")]
pub async fn remove_photo(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    photos::set(&mut connection, &caller, *id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The pet's photo (the original or a derivative), for anyone who may see the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id"), VariantQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/pets/{id}/photo")]
pub async fn get_photo(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let photo = photos::get(&mut connection, &caller, *id).await?;
    uploads.download(&mut connection, photo, query.checked()?, &request).await
}

/// A short-lived link to the pet's photo that needs no credentials.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id"), VariantQuery),
    responses((status = 200, body = LinkView), NotFound, StandardErrors)
)]
#[post("/pets/{id}/photo/link")]
pub async fn link_photo(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    query: web::Query<VariantQuery>,
    mut connection: Db,
) -> Result<web::Json<LinkView>, ApiError> {
    let photo = photos::get(&mut connection, &caller, *id).await?;
    Ok(web::Json(uploads.link(photo.id, query.checked()?)))
}

/// Attaches one of the caller's `record_attachment` uploads to the record.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
    ),
    request_body = AttachRequest,
    responses(
        (status = 201, body = RecordView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        (status = 422, description = "Not an unattached upload of the caller's for this purpose", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/pets/{id}/records/{record_id}/attachments")]
pub async fn attach_to_record(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId)>,
    ValidJson(request): ValidJson<AttachRequest>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (pet, record) = path.into_inner();
    let view = records::attach(&mut connection, &caller, pet, record, request.media_id).await?;
    Ok(HttpResponse::Created().json(view))
}

/// An attachment of a record, for anyone who may see the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
        ("media_id" = MediaId, Path, description = "Attachment id"),
        VariantQuery,
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        (status = 416, description = "Range not satisfiable"),
        StandardErrors,
    )
)]
#[get("/pets/{id}/records/{record_id}/attachments/{media_id}")]
pub async fn get_attachment(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId, MediaId)>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (pet, record, upload) = path.into_inner();
    let file = records::attachment(&mut connection, &caller, pet, record, upload).await?;
    uploads.download(&mut connection, file, query.checked()?, &request).await
}

/// A short-lived link to a record's attachment that needs no credentials.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("record_id" = RecordId, Path, description = "Record id"),
        ("media_id" = MediaId, Path, description = "Attachment id"),
        VariantQuery,
    ),
    responses((status = 200, body = LinkView), NotFound, StandardErrors)
)]
#[post("/pets/{id}/records/{record_id}/attachments/{media_id}/link")]
pub async fn link_attachment(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, RecordId, MediaId)>,
    query: web::Query<VariantQuery>,
    mut connection: Db,
) -> Result<web::Json<LinkView>, ApiError> {
    let (pet, record, upload) = path.into_inner();
    let file = records::attachment(&mut connection, &caller, pet, record, upload).await?;
    Ok(web::Json(uploads.link(file.id, query.checked()?)))
}
