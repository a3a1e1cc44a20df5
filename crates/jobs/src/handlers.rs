//! `/api/v1/admin/jobs/...`: queue depth, dead jobs, retry, discard.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::Page;
use platform::openapi::{Forbidden, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, PageQuery};

use crate::api::{DeadJob, QueueDepth};
use crate::service;

/// Jobs per kind and state (`queued`, `scheduled`, `retrying`, `running`, `dead`).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<QueueDepth>), Forbidden, StandardErrors)
)]
#[get("/admin/jobs/stats")]
pub async fn queue_stats(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<Vec<QueueDepth>>, ApiError> {
    Ok(web::Json(service::queue_depth(&mut connection, &caller).await?))
}

/// Jobs that used up their attempts, newest first, with their last error.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<DeadJob>), Forbidden, StandardErrors)
)]
#[get("/admin/jobs/dead")]
pub async fn dead_jobs(
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<DeadJob>>, ApiError> {
    Ok(web::Json(service::dead_jobs(&mut connection, &caller, &page.page_request()?).await?))
}

/// Runs a dead job again with a fresh set of attempts (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Job id")),
    responses(
        (status = 204, description = "Queued again"),
        (status = 404, description = "No dead job with this id", body = ErrorEnvelope),
        Forbidden,
        StandardErrors,
    )
)]
#[post("/admin/jobs/dead/{id}/retry")]
pub async fn retry_job(
    CurrentUser(caller): CurrentUser,
    id: web::Path<i64>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    service::retry(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a dead job (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Job id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No dead job with this id", body = ErrorEnvelope),
        Forbidden,
        StandardErrors,
    )
)]
#[delete("/admin/jobs/dead/{id}")]
pub async fn discard_job(
    CurrentUser(caller): CurrentUser,
    id: web::Path<i64>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    service::discard(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
