//! `/api/v1/clinics/{id}/calendar` and `/appointment-stats`: the clinic's view.

use actix_web::{get, web};
use kernel::ClinicId;
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{CalendarView, RangeQuery, StatsView};
use crate::service::{calendar, stats};

/// The clinic's calendar: per vet, appointments, blocked and free time (its staff).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id"), RangeQuery),
    responses(
        (status = 200, body = CalendarView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/clinics/{id}/calendar")]
pub async fn clinic_calendar(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<CalendarView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().appointments;
    Ok(web::Json(calendar::calendar(&mut connection, &caller, settings, *id, &query).await?))
}

/// Bookings, cancellations, no-show rate and utilisation (clinic admins).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id"), RangeQuery),
    responses(
        (status = 200, body = StatsView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/api/v1/clinics/{id}/appointment-stats")]
pub async fn clinic_stats(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<StatsView>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    let settings = &state.settings().appointments;
    Ok(web::Json(stats::stats(&mut connection, &caller, settings, *id, &query).await?))
}
