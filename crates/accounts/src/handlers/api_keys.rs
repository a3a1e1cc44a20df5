//! `/api/v1/clinics/{id}/api-keys`: a clinic's keys for third parties (its admins).

use actix_web::{HttpResponse, get, post, web};
use chrono::Duration;
use kernel::{ApiKeyId, ClinicId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use crate::api::{ApiKeyRequest, ApiKeyView, IssuedApiKey};
use crate::service::api_keys;

/// The clinic's API keys, newest first (revoked and expired ones too), never
/// their secrets.
#[utoipa::path(
    tag = "api keys",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<ApiKeyView>), Forbidden, StandardErrors)
)]
#[get("/clinics/{id}/api-keys")]
pub async fn list_api_keys(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<ApiKeyView>>, ApiError> {
    let keys = api_keys::list(&mut connection, &caller, *id).await?;
    Ok(web::Json(keys.into_iter().map(ApiKeyView::from).collect()))
}

/// Makes an API key for a third party. The answer holds the whole key, the
/// only time it is shown.
#[utoipa::path(
    tag = "api keys",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ApiKeyRequest,
    responses((status = 201, body = IssuedApiKey), Forbidden, JsonBodyErrors, StandardErrors)
)]
#[post("/clinics/{id}/api-keys")]
pub async fn create_api_key(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<ApiKeyRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let issued = api_keys::create(&mut connection, &caller, *id, &request, now).await?;
    Ok(HttpResponse::Created().json(IssuedApiKey::from(issued)))
}

/// Revokes a key: it stops working at once, on every instance.
#[utoipa::path(
    tag = "api keys",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("key_id" = ApiKeyId, Path, description = "API key id"),
    ),
    responses((status = 200, body = ApiKeyView), Forbidden, NotFound, StandardErrors)
)]
#[post("/clinics/{id}/api-keys/{key_id}/revoke")]
pub async fn revoke_api_key(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ApiKeyId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<ApiKeyView>, ApiError> {
    let (clinic, key) = path.into_inner();
    Ok(web::Json(api_keys::revoke(&mut connection, &caller, clinic, key, now).await?.into()))
}

/// Replaces a live key with a new one (shown this once); the old one keeps
/// working for `[accounts] api_key_rotation_grace_hours`, so the third party
/// can switch without a gap.
#[utoipa::path(
    tag = "api keys",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("key_id" = ApiKeyId, Path, description = "API key id"),
    ),
    responses(
        (status = 201, body = IssuedApiKey),
        Forbidden,
        NotFound,
        (status = 409, description = "The key is revoked or expired", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/clinics/{id}/api-keys/{key_id}/rotate")]
pub async fn rotate_api_key(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ApiKeyId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, key) = path.into_inner();
    let grace = Duration::hours(settings.api_key_rotation_grace_hours);
    let issued = api_keys::rotate(&mut connection, &caller, clinic, key, now, grace).await?;
    Ok(HttpResponse::Created().json(IssuedApiKey::from(issued)))
}
