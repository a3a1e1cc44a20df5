//! `/api/v1/orders` (the owner's) and `/api/v1/clinics/{id}/orders` (the clinic's).

use actix_web::{get, post, web};
use kernel::{ClinicId, OrderId, Page};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, PageQuery, ValidJson};

use crate::api::{Cancel, Fulfil, OfflinePayment, OrderFilter, OrderView};
use crate::service::orders;

/// The caller's orders, newest first.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<OrderView>), InvalidQuery, StandardErrors)
)]
#[get("/orders")]
pub async fn my_orders(
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<OrderView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(orders::mine(&mut connection, &caller, &page).await?))
}

/// One order (its owner, the clinic's staff, platform admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = OrderId, Path, description = "Order id")),
    responses((status = 200, body = OrderView), NotFound, StandardErrors)
)]
#[get("/orders/{id}")]
pub async fn get_order(
    CurrentUser(caller): CurrentUser,
    id: web::Path<OrderId>,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    Ok(web::Json(orders::get(&mut connection, &caller, *id).await?))
}

/// The owner calls off an unpaid order; its stock goes back.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = OrderId, Path, description = "Order id")),
    request_body = Cancel,
    responses(
        (status = 200, body = OrderView),
        NotFound,
        (status = 409, description = "Paid already (it is refunded instead), or over", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/orders/{id}/cancel")]
pub async fn cancel_order(
    CurrentUser(caller): CurrentUser,
    id: web::Path<OrderId>,
    ValidJson(request): ValidJson<Cancel>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    Ok(web::Json(orders::cancel_mine(&mut connection, &caller, *id, request.reason.as_deref(), now).await?))
}

/// The clinic's orders, newest first (its staff).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), OrderFilter, PageQuery),
    responses((status = 200, body = Page<OrderView>), Forbidden, NotFound, InvalidQuery, StandardErrors)
)]
#[get("/clinics/{id}/orders")]
pub async fn clinic_orders(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    filter: web::Query<OrderFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<OrderView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(orders::of_clinic(&mut connection, &caller, *id, &filter, &page).await?))
}

/// Records the payment of an order paid at the clinic (its admins and receptionists).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("order_id" = OrderId, Path, description = "Order id")),
    request_body = OfflinePayment,
    responses(
        (status = 200, body = OrderView),
        Forbidden,
        NotFound,
        (status = 409, description = "Not awaiting payment, or paid online", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/orders/{order_id}/payment")]
pub async fn record_payment(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OrderId)>,
    ValidJson(request): ValidJson<OfflinePayment>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    let (clinic, order) = path.into_inner();
    Ok(web::Json(orders::record_payment(&mut connection, &caller, clinic, order, request.method, now).await?))
}

/// A paid order left the clinic: picked up, or shipped with its tracking
/// number (the clinic's admins and receptionists).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("order_id" = OrderId, Path, description = "Order id")),
    request_body = Fulfil,
    responses(
        (status = 200, body = OrderView),
        Forbidden,
        NotFound,
        (status = 409, description = "Not paid, or already fulfilled", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/orders/{order_id}/fulfil")]
pub async fn fulfil_order(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OrderId)>,
    ValidJson(request): ValidJson<Fulfil>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    let (clinic, order) = path.into_inner();
    let tracking = request.tracking_number.as_deref();
    Ok(web::Json(orders::fulfil(&mut connection, &caller, clinic, order, tracking, now).await?))
}

/// A shipment arrived (the clinic's admins and receptionists).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("order_id" = OrderId, Path, description = "Order id")),
    responses(
        (status = 200, body = OrderView),
        Forbidden,
        NotFound,
        (status = 409, description = "Not shipped", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/clinics/{id}/orders/{order_id}/deliver")]
pub async fn deliver_order(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OrderId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    let (clinic, order) = path.into_inner();
    Ok(web::Json(orders::deliver(&mut connection, &caller, clinic, order, now).await?))
}

/// The clinic calls off an unpaid order; its stock goes back (its admins and receptionists).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("order_id" = OrderId, Path, description = "Order id")),
    request_body = Cancel,
    responses(
        (status = 200, body = OrderView),
        Forbidden,
        NotFound,
        (status = 409, description = "Paid already (it is refunded instead), or over", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/orders/{order_id}/cancel")]
pub async fn cancel_clinic_order(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, OrderId)>,
    ValidJson(request): ValidJson<Cancel>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<OrderView>, ApiError> {
    let (clinic, order) = path.into_inner();
    Ok(web::Json(
        orders::cancel_at_clinic(&mut connection, &caller, clinic, order, request.reason.as_deref(), now).await?,
    ))
}
