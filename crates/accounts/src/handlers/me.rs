//! `/api/v1/users/me`: the caller's own account.

use actix_web::{get, patch, web};
use platform::openapi::{JsonBodyErrors, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ValidJson};

use crate::api::{PersonalDataExport, ProfileUpdate, UserView};
use crate::service::me;

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

/// Every piece of personal data held about the caller, as JSON.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = PersonalDataExport), StandardErrors)
)]
#[get("/users/me/export")]
pub async fn export_me(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<PersonalDataExport>, ApiError> {
    Ok(web::Json(me::export_personal_data(&mut connection, &caller).await?))
}
