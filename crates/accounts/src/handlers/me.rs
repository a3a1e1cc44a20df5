//! `/api/v1/users/me`: the caller's own account.

use actix_web::{get, patch, web};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{PersonalDataExport, ProfileUpdate, UserView};
use crate::service::me;

/// The caller's profile and preferences.
#[utoipa::path(tag = "users", security(("bearer" = [])), responses((status = 200, body = UserView), StandardErrors))]
#[get("/api/v1/users/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<UserView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
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
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, description = "A field breaks a rule", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[patch("/api/v1/users/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    update: web::Json<ProfileUpdate>,
) -> Result<web::Json<UserView>, ApiError> {
    platform::validate(&*update)?;
    let mut connection = db::connect(state.db()).await?;
    let user = me::update_profile(&mut connection, &caller, update.into_inner().into_changes()).await?;
    Ok(web::Json(user.into()))
}

/// Every piece of personal data held about the caller, as JSON.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = PersonalDataExport), StandardErrors)
)]
#[get("/api/v1/users/me/export")]
pub async fn export_me(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<PersonalDataExport>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(me::export_personal_data(&mut connection, &caller).await?))
}
