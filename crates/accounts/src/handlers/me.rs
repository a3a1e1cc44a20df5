//! `/api/v1/users/me`: the caller's own account.

use actix_web::{HttpResponse, delete, get, patch, web};
use kernel::DataExportId;
use media::Uploads;
use platform::openapi::{JsonBodyErrors, NotFound, StandardErrors};
use platform::personal_data::Holders;
use platform::{ApiError, AppState, CurrentUser, Db, Now, ValidJson};

use crate::Settings;
use crate::api::{DataExportView, PersonalDataExport, ProfileUpdate, UserView};
use crate::service::me;
use crate::service::personal_data::{self, Export};

/// The caller's profile and preferences.
#[utoipa::path(tag = "users", security(("bearer" = [])), responses((status = 200, body = UserView), StandardErrors))]
#[get("/users/me")]
pub async fn get_me(CurrentUser(caller): CurrentUser, mut connection: Db) -> Result<web::Json<UserView>, ApiError> {
    Ok(web::Json(me::current_user(&mut connection, &caller).await?.into()))
}

/// Changes the caller's names, phone or preferences. Role, email, active flag
/// and ids are not client-writable: sending them is a 400.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = ProfileUpdate,
    responses(
        (status = 200, body = UserView),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[patch("/users/me")]
pub async fn update_me(
    CurrentUser(caller): CurrentUser,
    ValidJson(update): ValidJson<ProfileUpdate>,
    mut connection: Db,
) -> Result<web::Json<UserView>, ApiError> {
    let user = me::update_profile(&mut connection, &caller, update).await?;
    Ok(web::Json(user.into()))
}

/// Every piece of personal data held about the caller, as JSON: at once when
/// it is small (200); otherwise a job builds it (202, the export to follow at
/// `Location`; asking again while it is built returns the same export).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The whole export", body = PersonalDataExport),
        (status = 202, description = "Too large to answer at once: being built", body = DataExportView,
         headers(("Location" = String, description = "Where to follow the export"))),
        StandardErrors,
    )
)]
#[get("/users/me/export")]
pub async fn export_me(
    CurrentUser(caller): CurrentUser,
    holders: web::Data<Holders>,
    settings: web::Data<Settings>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(match personal_data::export(&mut connection, &holders, &settings, &caller, now).await? {
        Export::Document(document) => HttpResponse::Ok().json(document),
        Export::Building(export) => HttpResponse::Accepted()
            .insert_header(("Location", format!("{}/users/me/exports/{}", platform::routes::API_PREFIX, export.id)))
            .json(export),
    })
}

/// An export being built, or built: once ready, a fresh short-lived signed
/// link downloads it (no credentials needed) until it expires.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = DataExportId, Path, description = "Export id")),
    responses((status = 200, body = DataExportView), NotFound, StandardErrors)
)]
#[get("/users/me/exports/{id}")]
pub async fn get_export(
    CurrentUser(caller): CurrentUser,
    uploads: web::Data<Uploads>,
    id: web::Path<DataExportId>,
    mut connection: Db,
) -> Result<web::Json<DataExportView>, ApiError> {
    Ok(web::Json(personal_data::status(&mut connection, &uploads, &caller, *id).await?))
}

/// Deletes the caller's account and erases their personal data, following
/// the platform's erasure policy: future appointments are cancelled (the
/// clinic is told), pets pass to a co-owner or are archived, clinical
/// records stay without the person's identity. The client then deletes the
/// sign-in identity at Clerk (its `user.deleted` finds nothing left to do).
#[utoipa::path(tag = "users", security(("bearer" = [])), responses((status = 204, description = "Erased"), StandardErrors))]
#[delete("/users/me")]
pub async fn delete_me(
    CurrentUser(caller): CurrentUser,
    state: web::Data<AppState>,
    holders: web::Data<Holders>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    personal_data::erase(&mut connection, &holders, &caller.subject, (Some(caller.user_id), now)).await?;
    state.principals().invalidate(&caller.subject).await;
    Ok(HttpResponse::NoContent().finish())
}
