//! `/api/v1/admin/jobs/...`: queue depth, dead jobs, retry, discard.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::Page;
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, PageQuery};

use crate::admin::{self, DeadJob, QueueDepth};

/// Jobs per kind and state (`queued`, `scheduled`, `retrying`, `running`, `dead`).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<QueueDepth>), (status = 403, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/admin/jobs/stats")]
pub async fn queue_stats(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<Vec<QueueDepth>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(admin::queue_depth(&mut connection, &caller).await?))
}

/// Jobs that used up their attempts, newest first, with their last error.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<DeadJob>), (status = 403, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/admin/jobs/dead")]
pub async fn dead_jobs(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<DeadJob>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(admin::dead_jobs(&mut connection, &caller, &page).await?))
}

/// Runs a dead job again with a fresh set of attempts (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Job id")),
    responses(
        (status = 204, description = "Queued again"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, description = "No dead job with this id", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/admin/jobs/dead/{id}/retry")]
pub async fn retry_job(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    admin::retry(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a dead job (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "Job id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, description = "No dead job with this id", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/admin/jobs/dead/{id}")]
pub async fn discard_job(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    admin::discard(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
