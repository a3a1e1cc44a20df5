//! `/api/v1/clinics/{id}/calendar` and `/appointment-stats`: the clinic's view.

use actix_web::{get, web};
use kernel::ClinicId;
use platform::openapi::{Forbidden, InvalidQuery, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ValidQuery};

use crate::api::{CalendarView, RangeQuery, StatsView};
use crate::service::{calendar, stats};

/// The clinic's calendar: per vet, appointments, blocked and free time (its staff).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = []), ("api_key" = ["appointments:read"])),
    params(("id" = ClinicId, Path, description = "Clinic id"), RangeQuery),
    responses(
        (status = 200, body = CalendarView),
        Forbidden,
        NotFound,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/calendar")]
pub async fn clinic_calendar(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidQuery(query): ValidQuery<RangeQuery>,
    mut connection: Db,
) -> Result<web::Json<CalendarView>, ApiError> {
    Ok(web::Json(calendar::calendar(&mut connection, &caller, &settings, *id, &query).await?))
}

/// Bookings, cancellations, no-show rate and utilisation (clinic admins).
#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), RangeQuery),
    responses(
        (status = 200, body = StatsView),
        Forbidden,
        NotFound,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/appointment-stats")]
pub async fn clinic_stats(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidQuery(query): ValidQuery<RangeQuery>,
    mut connection: Db,
) -> Result<web::Json<StatsView>, ApiError> {
    Ok(web::Json(stats::stats(&mut connection, &caller, &settings, *id, &query).await?))
}
