//! `/api/v1/pets/{id}/reminders`: care coming due; owners snooze and dismiss.

use actix_web::{get, post, web};
use kernel::{PetId, ReminderId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use crate::api::{ReminderView, Snooze};
use crate::service::reminders;

/// The pet's reminders, soonest due first.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = Vec<ReminderView>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/reminders")]
pub async fn list_reminders(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<Vec<ReminderView>>, ApiError> {
    Ok(web::Json(reminders::list(&mut connection, &caller, *id).await?))
}

/// Holds a pending reminder back for some days, then reminds once (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("reminder_id" = ReminderId, Path, description = "Reminder id"),
    ),
    request_body = Snooze,
    responses(
        (status = 200, body = ReminderView),
        Forbidden,
        (status = 404, description = "No such pending reminder", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/reminders/{reminder_id}/snooze")]
pub async fn snooze_reminder(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ReminderId)>,
    ValidJson(snooze): ValidJson<Snooze>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<ReminderView>, ApiError> {
    let (pet, reminder) = path.into_inner();
    Ok(web::Json(reminders::snooze(&mut connection, &caller, pet, reminder, snooze.days, now).await?))
}

/// Stops a pending reminder for good (owners).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("reminder_id" = ReminderId, Path, description = "Reminder id"),
    ),
    responses(
        (status = 200, body = ReminderView),
        Forbidden,
        (status = 404, description = "No such pending reminder", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/pets/{id}/reminders/{reminder_id}/dismiss")]
pub async fn dismiss_reminder(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ReminderId)>,
    mut connection: Db,
) -> Result<web::Json<ReminderView>, ApiError> {
    let (pet, reminder) = path.into_inner();
    Ok(web::Json(reminders::dismiss(&mut connection, &caller, &settings, pet, reminder).await?))
}
