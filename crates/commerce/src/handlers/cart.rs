//! `/api/v1/carts/{clinic_id}`: the caller's cart at a clinic, and checkout.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use kernel::{ClinicId, ProductId};
use platform::openapi::{JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, IdempotencyKey, Now, ValidJson};

use crate::Settings;
use crate::api::{CartLineUpdate, CartView, Checkout, OrderView};
use crate::service::{cart, checkout};

/// The caller's cart at the clinic, each line with what changed since it was set.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("clinic_id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = CartView), NotFound, StandardErrors)
)]
#[get("/carts/{clinic_id}")]
pub async fn get_cart(
    CurrentUser(caller): CurrentUser,
    clinic: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<CartView>, ApiError> {
    Ok(web::Json(cart::get(&mut connection, &caller, *clinic).await?))
}

/// Sets a line: the quantity, at today's price (setting it agrees to that
/// price); a prescription product names the caller's pet it is for.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
        ("product_id" = ProductId, Path, description = "Product id"),
    ),
    request_body = CartLineUpdate,
    responses(
        (status = 200, body = CartView),
        NotFound,
        (status = 409, description = "Fewer in stock (`details.available`)", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/carts/{clinic_id}/lines/{product_id}")]
pub async fn put_cart_line(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    ValidJson(update): ValidJson<CartLineUpdate>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CartView>, ApiError> {
    let (clinic, product) = path.into_inner();
    Ok(web::Json(cart::put_line(&mut connection, &caller, &settings, clinic, product, &update, now).await?))
}

/// Takes a product out of the cart.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
        ("product_id" = ProductId, Path, description = "Product id"),
    ),
    responses((status = 200, body = CartView), NotFound, StandardErrors)
)]
#[delete("/carts/{clinic_id}/lines/{product_id}")]
pub async fn remove_cart_line(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    mut connection: Db,
) -> Result<web::Json<CartView>, ApiError> {
    let (clinic, product) = path.into_inner();
    Ok(web::Json(cart::remove_line(&mut connection, &caller, clinic, product).await?))
}

/// Places the cart as an order, paid at the clinic by `pay_by` (its stock
/// is held until then). `Idempotency-Key` is required: a retry gets the
/// first answer. A line whose price changed, or that is off sale or short
/// of stock, is 409 naming it (`details.lines`); a prescription product
/// without a current prescription with a refill left is 422 naming it.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
        (
            "Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$",
            description = "Required: 1 to 255 visible ASCII characters; a retry with it gets the first answer"
        ),
    ),
    request_body = Checkout,
    responses(
        (status = 201, body = OrderView),
        (status = 400, description = "No `Idempotency-Key`", body = ErrorEnvelope),
        NotFound,
        (status = 409, description = "Lines changed or short of stock (`details.lines`)", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/carts/{clinic_id}/checkout")]
pub async fn check_out(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    clinic: web::Path<ClinicId>,
    key: IdempotencyKey,
    ValidJson(request): ValidJson<Checkout>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    if key.0.is_none() {
        return Err(ApiError::BadRequest {
            code: "IDEMPOTENCY_KEY_REQUIRED",
            message: "send an Idempotency-Key header with a checkout, and the same one with its retries".to_owned(),
        });
    }
    let operation = format!("POST /api/v1/carts/{clinic}/checkout");
    platform::idempotency::once(&mut connection, &caller, &key, &operation, &request, async |connection| {
        Ok((StatusCode::CREATED, checkout::checkout(connection, &caller, &settings, *clinic, &request, now).await?))
    })
    .await
}
