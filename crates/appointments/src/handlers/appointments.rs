//! `/api/v1/availability`, `/api/v1/appointments`, `/api/v1/appointment-series`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use kernel::{AppointmentId, Page, SeriesId};
use platform::audit::HistoryEntry;
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{
    ApiError, CurrentUser, Db, ErrorEnvelope, IdempotencyKey, MaybeUser, Now, PageQuery, ValidJson, ValidQuery,
};

use crate::api::{
    AppointmentFilter, AppointmentView, AvailabilityQuery, AvailabilityView, BookingRequest, CancelRequest,
    RescheduleRequest, SeriesRequest, SeriesView, TransitionRequest,
};
use crate::service::booking::{self, Booking};
use crate::service::{access, availability, lifecycle, listing, reschedule, series};

/// Free slots of a service, for one vet or any who performs it.
#[utoipa::path(
    tag = "appointments",
    security((), ("bearer" = []), ("api_key" = ["appointments:read"])),
    params(AvailabilityQuery),
    responses(
        (status = 200, body = AvailabilityView),
        NotFound,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/availability")]
pub async fn get_availability(
    settings: web::Data<crate::Settings>,
    MaybeUser(caller): MaybeUser,
    ValidQuery(query): ValidQuery<AvailabilityQuery>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<AvailabilityView>, ApiError> {
    Ok(web::Json(availability::search(&mut connection, caller.as_ref(), &settings, now, &query).await?))
}

/// Books an appointment (owners for their pets, staff for the clinic's
/// patients). Honours `Idempotency-Key`; a taken slot is 409 with the
/// conflicting one in `details`.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:write"])),
    params((
        "Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$",
        description = "1 to 255 visible ASCII characters; a retry with it gets the first answer"
    )),
    request_body = BookingRequest,
    responses(
        (status = 201, body = AppointmentView),
        Forbidden,
        NotFound,
        (status = 409, description = "Taken, unavailable, over the owner's cap, or the key is in use", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/appointments")]
pub async fn book_appointment(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    key: IdempotencyKey,
    ValidJson(request): ValidJson<BookingRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let booking = Booking::from(&request);
    platform::idempotency::once(
        &mut connection,
        &caller,
        &key,
        "POST /api/v1/appointments",
        &request,
        async |connection| {
            Ok((StatusCode::CREATED, booking::book(connection, &caller, &settings, now, &booking).await?))
        },
    )
    .await
}

/// The caller's pets' appointments: upcoming (soonest first) or past.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(AppointmentFilter, PageQuery),
    responses((status = 200, body = Page<AppointmentView>), StandardErrors)
)]
#[get("/appointments")]
pub async fn list_my_appointments(
    CurrentUser(caller): CurrentUser,
    filter: web::Query<AppointmentFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<Page<AppointmentView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(listing::mine(&mut connection, &caller, now, &filter, &page).await?))
}

/// One appointment (its pet's owners, the clinic's staff).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:read"])),
    params(("id" = AppointmentId, Path, description = "Appointment id")),
    responses((status = 200, body = AppointmentView), NotFound, StandardErrors)
)]
#[get("/appointments/{id}")]
pub async fn get_appointment(
    CurrentUser(caller): CurrentUser,
    id: web::Path<AppointmentId>,
    mut connection: Db,
) -> Result<web::Json<AppointmentView>, ApiError> {
    Ok(web::Json(listing::get(&mut connection, &caller, *id).await?))
}

/// Moves the appointment along its lifecycle; a move the lifecycle does not
/// have is 409 (with the allowed ones), one the caller may not make is 403.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:write"])),
    params(("id" = AppointmentId, Path, description = "Appointment id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = AppointmentView),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/appointments/{id}/transitions")]
pub async fn transition_appointment(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<AppointmentId>,
    ValidJson(request): ValidJson<TransitionRequest>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<AppointmentView>, ApiError> {
    Ok(web::Json(lifecycle::transition(&mut connection, &caller, &settings, now, *id, &request).await?))
}

/// Moves the appointment to another start (or vet); its history keeps the old one.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:write"])),
    params(("id" = AppointmentId, Path, description = "Appointment id")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, body = AppointmentView),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/appointments/{id}/reschedule")]
pub async fn reschedule_appointment(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<AppointmentId>,
    ValidJson(request): ValidJson<RescheduleRequest>,
    mut connection: Db,
    Now(now): Now,
) -> Result<web::Json<AppointmentView>, ApiError> {
    Ok(web::Json(reschedule::reschedule(&mut connection, &caller, &settings, now, *id, &request).await?))
}

/// Who booked, moved and changed the appointment, and when.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:read"])),
    params(("id" = AppointmentId, Path, description = "Appointment id")),
    responses((status = 200, body = Vec<HistoryEntry>), NotFound, StandardErrors)
)]
#[get("/appointments/{id}/history")]
pub async fn appointment_history(
    CurrentUser(caller): CurrentUser,
    id: web::Path<AppointmentId>,
    mut connection: Db,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    access::resolve(&mut connection, &caller, *id, false).await?;
    let trail = platform::audit::trail(&mut connection, "appointment", *id).await?;
    Ok(web::Json(trail.into_iter().map(HistoryEntry::from).collect()))
}

/// Books the same slot every few weeks; occurrences that cannot be booked are
/// reported in `conflicts`, not dropped.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    request_body = SeriesRequest,
    responses(
        (status = 201, body = SeriesView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/appointment-series")]
pub async fn create_series(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    ValidJson(request): ValidJson<SeriesRequest>,
    mut connection: Db,
    Now(now): Now,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(series::create(&mut connection, &caller, &settings, now, &request).await?))
}

/// Cancels every upcoming occurrence of a series.
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = SeriesId, Path, description = "Series id")),
    request_body = CancelRequest,
    responses(
        (status = 204, description = "Cancelled"),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/appointment-series/{id}/cancel")]
pub async fn cancel_series(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<SeriesId>,
    ValidJson(request): ValidJson<CancelRequest>,
    mut connection: Db,
    Now(now): Now,
) -> Result<HttpResponse, ApiError> {
    series::cancel_future(&mut connection, &caller, &settings, now, *id, &request).await?;
    Ok(HttpResponse::NoContent().finish())
}
