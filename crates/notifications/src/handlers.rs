//! `/api/v1/notifications/...` (the caller's own) and the admin delivery log.

use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{DeviceId, NotificationId, Page};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::api::{
    DeliveryFilter, DeliveryRecord, DeviceRegistration, DeviceView, InboxFilter, InboxItem, MarkedRead,
    NotificationPreferences, NotificationPreferencesUpdate, UnreadCount,
};
use crate::{delivery_log, devices, inbox, preferences};

/// The caller's inbox, newest first; `?unread=true` for unread entries only.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(InboxFilter, PageQuery),
    responses((status = 200, body = Page<InboxItem>), StandardErrors)
)]
#[get("/api/v1/notifications")]
pub async fn list_inbox(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    filter: web::Query<InboxFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<InboxItem>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(inbox::list(&mut connection, &caller, filter.unread.unwrap_or(false), &page).await?))
}

/// How many inbox entries are unread.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = UnreadCount), StandardErrors))]
#[get("/api/v1/notifications/unread-count")]
pub async fn unread_count(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(inbox::unread_count(&mut connection, &caller).await?))
}

/// Marks one entry read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "Not one of the caller's notifications", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<NotificationId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    inbox::mark_read(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks every unread entry read.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = MarkedRead), StandardErrors))]
#[post("/api/v1/notifications/read-all")]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<MarkedRead>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(inbox::mark_all_read(&mut connection, &caller).await?))
}

/// Every category × channel switch and the quiet hours.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), responses((status = 200, body = NotificationPreferences), StandardErrors))]
#[get("/api/v1/notifications/preferences")]
pub async fn get_preferences(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
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
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, description = "A time is not HH:MM", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/notifications/preferences")]
pub async fn put_preferences(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    update: web::Json<NotificationPreferencesUpdate>,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    platform::validate(&*update)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(preferences::put(&mut connection, &caller, &update).await?))
}

/// Registers a push device of the caller.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = DeviceRegistration,
    responses(
        (status = 201, body = DeviceView),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/notifications/devices")]
pub async fn register_device(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    registration: web::Json<DeviceRegistration>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*registration)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Created().json(devices::register(&mut connection, &caller, &registration).await?))
}

/// Removes a push device of the caller (e.g. on sign-out).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Device id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "Not one of the caller's devices", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/notifications/devices/{id}")]
pub async fn remove_device(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<DeviceId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    devices::remove(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log, newest first (platform admins).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(DeliveryFilter, PageQuery),
    responses((status = 200, body = Page<DeliveryRecord>), (status = 403, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/admin/notifications/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<DeliveryRecord>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(delivery_log::list(&mut connection, &caller, &filter, &page).await?))
}
