//! `/api/v1/clinics/nearest-available` (mounted as a scope of its own) and
//! `/api/v1/emergency/metrics`.

use actix_web::{get, web};
use platform::openapi::{Forbidden, InvalidQuery, StandardErrors};
use platform::{ApiError, CurrentUser, Db, Now, ValidQuery};

use crate::Settings;
use crate::api::{AvailableClinic, MetricsQuery, MetricsView, NearestAvailableQuery};
use crate::service::{metrics, nearest};

/// The nearest clinics with a free slot for a kind of service today (or
/// within `within` hours), each with its first free slot, nearest first.
#[utoipa::path(
    tag = "emergency",
    params(NearestAvailableQuery),
    responses((status = 200, body = Vec<AvailableClinic>), InvalidQuery, StandardErrors)
)]
#[get("")]
pub async fn nearest_available(
    settings: web::Data<Settings>,
    scheduling: web::Data<appointments::Settings>,
    ValidQuery(query): ValidQuery<NearestAvailableQuery>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Vec<AvailableClinic>>, ApiError> {
    Ok(web::Json(nearest::nearest_available(&mut connection, &settings, &scheduling, now, &query).await?))
}

/// How emergencies were answered: a clinic's (its admins) or a region's or
/// the platform's (platform admins).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(MetricsQuery),
    responses((status = 200, body = MetricsView), Forbidden, InvalidQuery, StandardErrors)
)]
#[get("/emergency/metrics")]
pub async fn emergency_metrics(
    CurrentUser(caller): CurrentUser,
    ValidQuery(query): ValidQuery<MetricsQuery>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<MetricsView>, ApiError> {
    Ok(web::Json(metrics::report(&mut connection, &caller, now, &query).await?))
}
