//! `/api/v1/clinics/{id}/photo` and `/api/v1/vets/{id}/photo`.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use kernel::{ClinicId, UserId};
use media::{AttachRequest, VariantQuery};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, ValidJson};

use crate::api::{ClinicView, VetView};
use crate::service::{clinics, photos, vets};

/// Sets the clinic's photo to one of the caller's `clinic_photo` uploads (clinic admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = AttachRequest,
    responses(
        (status = 200, body = ClinicView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        (status = 422, description = "Not an unattached upload of the caller's for this purpose", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/clinics/{id}/photo")]
pub async fn set_clinic_photo(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<AttachRequest>,
    mut connection: Db,
) -> Result<web::Json<ClinicView>, ApiError> {
    photos::set_clinic_photo(&mut connection, &caller, *id, request.media_id).await?;
    Ok(web::Json(clinics::get(&mut connection, Some(&caller), *id).await?))
}

/// The clinic's photo (public).
#[utoipa::path(
    tag = "clinics",
    params(("id" = ClinicId, Path, description = "Clinic id"), VariantQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/clinics/{id}/photo")]
pub async fn get_clinic_photo(
    uploads: web::Data<media::Uploads>,
    id: web::Path<ClinicId>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let photo = photos::clinic_photo(&mut connection, *id).await?;
    uploads.download(&mut connection, photo, query.checked()?, &request).await
}

/// Sets a vet's photo to one of their own `vet_photo` uploads (the vet).
#[utoipa::path(
    tag = "vets",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "The vet's user id")),
    request_body = AttachRequest,
    responses(
        (status = 200, body = VetView),
        Forbidden,
        (status = 404, description = "No vet profile, or no unattached upload of the caller's", body = ErrorEnvelope),
        JsonBodyErrors,
        (status = 422, description = "Not an unattached upload of the caller's for this purpose", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/vets/{id}/photo")]
pub async fn set_vet_photo(
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    ValidJson(request): ValidJson<AttachRequest>,
    mut connection: Db,
) -> Result<web::Json<VetView>, ApiError> {
    if *id != caller.user_id {
        return Err(kernel::Error::Forbidden("vets set their own photo".to_owned()).into());
    }
    photos::set_vet_photo(&mut connection, &caller, request.media_id).await?;
    Ok(web::Json(vets::get(&mut connection, caller.user_id).await?))
}

/// A vet's photo (public).
#[utoipa::path(
    tag = "vets",
    params(("id" = UserId, Path, description = "The vet's user id"), VariantQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/vets/{id}/photo")]
pub async fn get_vet_photo(
    uploads: web::Data<media::Uploads>,
    id: web::Path<UserId>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let photo = photos::vet_photo(&mut connection, *id).await?;
    uploads.download(&mut connection, photo, query.checked()?, &request).await
}
