//! `/api/v1/clinics/{id}/sales-reports`.

use actix_web::{HttpResponse, get, post, web};
use kernel::ClinicId;
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, Now, ValidJson};
use uuid::Uuid;

use crate::api::{ReportRequest, ReportView};
use crate::service::reports;

/// Asks for the clinic's sales and refunds over a range of its days as CSV
/// (its admins); a job builds it, and its admin is told when it is ready.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ReportRequest,
    responses((status = 202, body = ReportView), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[post("/clinics/{id}/sales-reports")]
pub async fn request_sales_report(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<ReportRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Accepted().json(reports::request(&mut connection, &caller, *id, &request, now).await?))
}

/// A sales report, with a fresh signed link to its CSV once built (the clinic's admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("report_id" = Uuid, Path, description = "Report id")),
    responses((status = 200, body = ReportView), Forbidden, NotFound, StandardErrors)
)]
#[get("/clinics/{id}/sales-reports/{report_id}")]
pub async fn get_sales_report(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, Uuid)>,
    mut connection: Db,
) -> Result<web::Json<ReportView>, ApiError> {
    let (clinic, report) = path.into_inner();
    Ok(web::Json(reports::get(&mut connection, &uploads, &caller, clinic, report).await?))
}
