//! `/api/v1/clinics/{id}/products/{product_id}/stock-…`.

use actix_web::{get, post, web};
use kernel::{ClinicId, Page, ProductId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, PageQuery, ValidJson};

use crate::api::{ProductView, StockAdjustment, StockMovementView};
use crate::service::stock;

/// Adds or takes out units of a counted product, with a reason (the clinic's
/// admins and receptionists); audited, and the low-stock notice follows.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("product_id" = ProductId, Path, description = "Product id")),
    request_body = StockAdjustment,
    responses(
        (status = 200, body = ProductView),
        Forbidden,
        NotFound,
        (status = 409, description = "Stock would go below zero (`details.in_stock`)", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/products/{product_id}/stock-adjustments")]
pub async fn adjust_stock(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    ValidJson(adjustment): ValidJson<StockAdjustment>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<ProductView>, ApiError> {
    let (clinic, product) = path.into_inner();
    Ok(web::Json(stock::adjust(&mut connection, &caller, clinic, product, &adjustment, now).await?))
}

/// The product's stock movements, newest first (the clinic's staff).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("product_id" = ProductId, Path, description = "Product id"),
        PageQuery,
    ),
    responses((status = 200, body = Page<StockMovementView>), Forbidden, NotFound, InvalidQuery, StandardErrors)
)]
#[get("/clinics/{id}/products/{product_id}/stock-movements")]
pub async fn stock_movements(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<StockMovementView>>, ApiError> {
    let (clinic, product) = path.into_inner();
    let page = page.page_request()?;
    Ok(web::Json(stock::movements(&mut connection, &caller, clinic, product, &page).await?))
}
