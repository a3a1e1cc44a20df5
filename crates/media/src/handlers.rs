//! `/api/v1/media`: uploading, an upload's state and preview link, and the
//! signed-link download.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use kernel::MediaId;
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope};
use utoipa::ToSchema;

use crate::Uploads;
use crate::api::{LinkView, MediaView, SignedQuery, UploadQuery, VariantQuery};
use crate::service;

/// The multipart form of an upload (only `file`).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "documents the form for OpenAPI; the handler streams it")]
pub struct UploadForm {
    /// The file; its type is read from its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads a file (multipart field `file`), streamed to storage. Its type is
/// read from its bytes (415 if the purpose does not take it); too large is
/// 413 and keeps nothing. Images are cleaned and resized before they are served.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(UploadQuery),
    request_body(content_type = "multipart/form-data", content = UploadForm),
    responses(
        (status = 201, body = MediaView),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/media")]
pub async fn upload(
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    CurrentUser(caller): CurrentUser,
    query: web::Query<UploadQuery>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::UnsupportedMediaType);
    }
    let form = Multipart::new(request.headers(), payload);
    Ok(HttpResponse::Created()
        .json(crate::upload::receive(&uploads, state.db(), &caller, query.purpose, form, state.clock().now()).await?))
}

/// One of the caller's uploads (its processing state).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = MediaId, Path, description = "Upload id")),
    responses((status = 200, body = MediaView), NotFound, StandardErrors)
)]
#[get("/media/{id}")]
pub async fn get_upload(
    CurrentUser(caller): CurrentUser,
    id: web::Path<MediaId>,
    mut connection: Db,
) -> Result<web::Json<MediaView>, ApiError> {
    let found = service::uploaded(&mut connection, &caller, *id).await?;
    Ok(web::Json(service::view(&mut connection, found).await?))
}

/// A short-lived link to one of the caller's uploads (a preview before attaching).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = MediaId, Path, description = "Upload id"), VariantQuery),
    responses((status = 200, body = LinkView), NotFound, StandardErrors)
)]
#[post("/media/{id}/link")]
pub async fn link_upload(
    uploads: web::Data<Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<MediaId>,
    query: web::Query<VariantQuery>,
    mut connection: Db,
) -> Result<web::Json<LinkView>, ApiError> {
    service::uploaded(&mut connection, &caller, *id).await?;
    Ok(web::Json(uploads.link(*id, query.checked()?)))
}

/// A file through a signed link (no credentials): 403 once expired or when the
/// signature does not match; supports `Range` and `If-None-Match`.
#[utoipa::path(
    tag = "media",
    params(("id" = MediaId, Path, description = "File id"), SignedQuery),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified"),
        Forbidden,
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        (status = 416, description = "Range not satisfiable"),
        StandardErrors,
    )
)]
#[get("/media/{id}/content")]
pub async fn signed_content(
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    id: web::Path<MediaId>,
    query: web::Query<SignedQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // The signature first: a forged link never takes a database connection.
    crate::links::verify(uploads.settings(), *id, &query)?;
    let mut connection = db::connect(state.db()).await?;
    let found = service::row(&mut connection, *id).await?;
    if found.deleted_at.is_some() {
        return Err(kernel::Error::NotFound { resource: "file" }.into());
    }
    uploads.download(&mut connection, found, query.variant.as_deref(), &request).await
}
