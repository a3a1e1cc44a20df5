//! `/api/v1/pets/{id}/reminders`: care coming due; owners snooze and dismiss.

use actix_web::{get, post, web};
use kernel::{PetId, ReminderId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{ReminderView, Snooze};
use crate::service::reminders;

/// The pet's reminders, soonest due first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses((status = 200, body = Vec<ReminderView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/reminders")]
pub async fn list_reminders(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<web::Json<Vec<ReminderView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(reminders::list(&mut connection, &caller, *id).await?))
}

/// Holds a pending reminder back for some days, then reminds once (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("reminder_id" = String, Path, format = Uuid, description = "Reminder id"),
    ),
    request_body = Snooze,
    responses(
        (status = 200, body = ReminderView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, description = "No such pending reminder", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/reminders/{reminder_id}/snooze")]
pub async fn snooze_reminder(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ReminderId)>,
    snooze: web::Json<Snooze>,
) -> Result<web::Json<ReminderView>, ApiError> {
    platform::validate(&*snooze)?;
    let (pet, reminder) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(reminders::snooze(&mut connection, &caller, pet, reminder, snooze.days).await?))
}

/// Stops a pending reminder for good (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("reminder_id" = String, Path, format = Uuid, description = "Reminder id"),
    ),
    responses(
        (status = 200, body = ReminderView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, description = "No such pending reminder", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/reminders/{reminder_id}/dismiss")]
pub async fn dismiss_reminder(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ReminderId)>,
) -> Result<web::Json<ReminderView>, ApiError> {
    let (pet, reminder) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().pets;
    Ok(web::Json(reminders::dismiss(&mut connection, &caller, settings, pet, reminder).await?))
}
