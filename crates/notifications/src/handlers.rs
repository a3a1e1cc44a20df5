//! `/api/v1/notifications/...` (the caller's own) and the admin delivery log.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{DeviceId, NotificationId, Page};
use platform::openapi::{Forbidden, JsonBodyErrors, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, PageQuery, ValidJson};

use crate::api::{
    DeliveryFilter, DeliveryRecord, DeviceRegistration, DeviceView, InboxFilter, InboxItem, MarkedRead,
    NotificationPreferences, NotificationPreferencesUpdate, UnreadCount,
};
use crate::service::{delivery_log, devices, inbox, preferences};

/// The caller's inbox, newest first; `?unread=true` for unread entries only.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(InboxFilter, PageQuery),
    responses((status = 200, body = Page<InboxItem>), StandardErrors)
)]
#[get("/notifications")]
pub async fn list_inbox(
    CurrentUser(caller): CurrentUser,
    filter: web::Query<InboxFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<InboxItem>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(inbox::list(&mut connection, &caller, filter.unread.unwrap_or(false), &page).await?))
}

/// How many inbox entries are unread.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = UnreadCount), StandardErrors))]
#[get("/notifications/unread-count")]
pub async fn unread_count(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<UnreadCount>, ApiError> {
    Ok(web::Json(inbox::unread_count(&mut connection, &caller).await?))
}

/// Marks one entry read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = NotificationId, Path)),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "Not one of the caller's notifications", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/notifications/{id}/read")]
pub async fn mark_read(
    CurrentUser(caller): CurrentUser,
    id: web::Path<NotificationId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    inbox::mark_read(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks every unread entry read.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = MarkedRead), StandardErrors))]
#[post("/notifications/read-all")]
pub async fn mark_all_read(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<MarkedRead>, ApiError> {
    Ok(web::Json(inbox::mark_all_read(&mut connection, &caller).await?))
}

/// Every category × channel switch and the quiet hours.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = NotificationPreferences), StandardErrors))]
#[get("/notifications/preferences")]
pub async fn get_preferences(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    Ok(web::Json(preferences::get(&mut connection, &caller).await?))
}

/// Replaces the choices (unlisted pairs return to their defaults). Emergency
/// and account notifications cannot be switched, so they cannot be listed.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationPreferencesUpdate,
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 413, description = "The body is too large", body = ErrorEnvelope),
        (status = 415, description = "The body is not JSON", body = ErrorEnvelope),
        (status = 422, description = "A time is not HH:MM", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/notifications/preferences")]
pub async fn put_preferences(
    CurrentUser(caller): CurrentUser,
    ValidJson(update): ValidJson<NotificationPreferencesUpdate>,
    mut connection: Db,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    Ok(web::Json(preferences::put(&mut connection, &caller, &update).await?))
}

/// Registers a push device of the caller.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = DeviceRegistration,
    responses(
        (status = 201, body = DeviceView),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/notifications/devices")]
pub async fn register_device(
    CurrentUser(caller): CurrentUser,
    ValidJson(registration): ValidJson<DeviceRegistration>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(devices::register(&mut connection, &caller, &registration).await?))
}

/// Removes a push device of the caller (e.g. on sign-out).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = DeviceId, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "Not one of the caller's devices", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/notifications/devices/{id}")]
pub async fn remove_device(
    CurrentUser(caller): CurrentUser,
    id: web::Path<DeviceId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    devices::remove(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log, newest first (platform admins).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(DeliveryFilter, PageQuery),
    responses((status = 200, body = Page<DeliveryRecord>), Forbidden, StandardErrors)
)]
#[get("/admin/notifications/deliveries")]
pub async fn list_deliveries(
    CurrentUser(caller): CurrentUser,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<DeliveryRecord>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(delivery_log::list(&mut connection, &caller, &filter, &page).await?))
}
