//! `/api/v1/autoship`: an owner's repeat orders.

use actix_web::{HttpResponse, get, post, web};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, Now, ValidJson};

use crate::api::{AutoshipRequest, AutoshipView};
use crate::service::autoship;

/// The caller's repeat orders, newest first.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AutoshipView>), StandardErrors)
)]
#[get("/autoship")]
pub async fn my_autoships(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<Vec<AutoshipView>>, ApiError> {
    Ok(web::Json(autoship::mine(&mut connection, &caller).await?))
}

/// Orders a product for a pet every `every_days`; a prescription product
/// needs a current prescription with a refill left.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    request_body = AutoshipRequest,
    responses((status = 201, body = AutoshipView), NotFound, JsonBodyErrors, StandardErrors)
)]
#[post("/autoship")]
pub async fn create_autoship(
    CurrentUser(caller): CurrentUser,
    ValidJson(request): ValidJson<AutoshipRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(autoship::create(&mut connection, &caller, &request, now).await?))
}

/// One repeat order (its owner, the selling clinic's staff).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Autoship id")),
    responses((status = 200, body = AutoshipView), NotFound, StandardErrors)
)]
#[get("/autoship/{id}")]
pub async fn get_autoship(
    CurrentUser(caller): CurrentUser,
    id: web::Path<uuid::Uuid>,
    mut connection: Db,
) -> Result<web::Json<AutoshipView>, ApiError> {
    Ok(web::Json(autoship::get(&mut connection, &caller, *id).await?))
}

/// Its owner stops a repeat order.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Autoship id")),
    responses((status = 200, body = AutoshipView), Forbidden, NotFound, StandardErrors)
)]
#[post("/autoship/{id}/stop")]
pub async fn stop_autoship(
    CurrentUser(caller): CurrentUser,
    id: web::Path<uuid::Uuid>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<AutoshipView>, ApiError> {
    Ok(web::Json(autoship::stop(&mut connection, &caller, *id, now).await?))
}
