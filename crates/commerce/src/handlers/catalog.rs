//! `/api/v1/product-categories`, `/api/v1/products`, a clinic's products and tax rates.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use kernel::{ClinicId, Page, ProductId};
use media::{AttachRequest, VariantQuery};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, MaybeUser, PageQuery, ValidJson, ValidQuery};

use crate::api::{
    CategoryDraft, CategoryView, ProductDraft, ProductSearch, ProductView, TaxClass, TaxRateUpdate, TaxRateView,
};
use crate::service::{catalog, search, tax};

/// The category tree, flat (nest it by `parent_id`).
#[utoipa::path(tag = "commerce", responses((status = 200, body = Vec<CategoryView>), StandardErrors))]
#[get("/product-categories")]
pub async fn list_categories(mut connection: Db) -> Result<web::Json<Vec<CategoryView>>, ApiError> {
    Ok(web::Json(catalog::categories(&mut connection).await?))
}

/// Adds a category (platform admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    request_body = CategoryDraft,
    responses(
        (status = 201, body = CategoryView),
        Forbidden,
        (status = 409, description = "A sibling has this name", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/product-categories")]
pub async fn add_category(
    CurrentUser(caller): CurrentUser,
    ValidJson(draft): ValidJson<CategoryDraft>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(catalog::add_category(&mut connection, &caller, &draft).await?))
}

/// The shop: products on sale by words and filters, newest first.
#[utoipa::path(
    tag = "commerce",
    params(ProductSearch, PageQuery),
    responses((status = 200, body = Page<ProductView>), InvalidQuery, StandardErrors)
)]
#[get("/products")]
pub async fn search_products(
    ValidQuery(filter): ValidQuery<ProductSearch>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<ProductView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(search::products(&mut connection, &filter, &page).await?))
}

/// A product on sale (its clinic's staff also see it off sale).
#[utoipa::path(
    tag = "commerce",
    params(("id" = ProductId, Path, description = "Product id")),
    responses((status = 200, body = ProductView), NotFound, StandardErrors)
)]
#[get("/products/{id}")]
pub async fn get_product(
    MaybeUser(caller): MaybeUser,
    id: web::Path<ProductId>,
    mut connection: Db,
) -> Result<web::Json<ProductView>, ApiError> {
    Ok(web::Json(catalog::product(&mut connection, caller.as_ref(), *id).await?))
}

/// A product's picture (public).
#[utoipa::path(
    tag = "commerce",
    params(("id" = ProductId, Path, description = "Product id"), VariantQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/products/{id}/image")]
pub async fn get_product_image(
    uploads: web::Data<media::Uploads>,
    id: web::Path<ProductId>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let image = catalog::image(&mut connection, *id).await?;
    uploads.download(&mut connection, image, query.checked()?, &request).await
}

/// The clinic's products, on sale or not, newest first (its staff).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), PageQuery),
    responses((status = 200, body = Page<ProductView>), Forbidden, NotFound, InvalidQuery, StandardErrors)
)]
#[get("/clinics/{id}/products")]
pub async fn clinic_products(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<ProductView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(catalog::of_clinic(&mut connection, &caller, *id, &page).await?))
}

/// Adds a product to the clinic's catalog (its admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = []), ("api_key" = ["catalog:write"])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ProductDraft,
    responses(
        (status = 201, body = ProductView),
        Forbidden,
        NotFound,
        (status = 409, description = "The clinic has a product with this SKU", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/products")]
pub async fn add_product(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(draft): ValidJson<ProductDraft>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(catalog::add_product(&mut connection, &caller, *id, &draft).await?))
}

/// Replaces a product's description, price and rules (the clinic's admins);
/// carts see a new price as a change to agree to.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = []), ("api_key" = ["catalog:write"])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("product_id" = ProductId, Path, description = "Product id")),
    request_body = ProductDraft,
    responses(
        (status = 200, body = ProductView),
        Forbidden,
        NotFound,
        (status = 409, description = "The clinic has another product with this SKU", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/products/{product_id}")]
pub async fn update_product(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    ValidJson(draft): ValidJson<ProductDraft>,
    mut connection: Db,
) -> Result<web::Json<ProductView>, ApiError> {
    let (clinic, product) = path.into_inner();
    Ok(web::Json(catalog::update_product(&mut connection, &caller, clinic, product, &draft).await?))
}

/// Sets the product's picture to one of the caller's `product_image` uploads (the clinic's admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("product_id" = ProductId, Path, description = "Product id")),
    request_body = AttachRequest,
    responses(
        (status = 200, body = ProductView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        (status = 422, description = "Not an unattached upload of the caller's for this purpose", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/clinics/{id}/products/{product_id}/image")]
pub async fn set_product_image(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ProductId)>,
    ValidJson(request): ValidJson<AttachRequest>,
    mut connection: Db,
) -> Result<web::Json<ProductView>, ApiError> {
    let (clinic, product) = path.into_inner();
    Ok(web::Json(catalog::set_image(&mut connection, &caller, clinic, product, request.media_id).await?))
}

/// The clinic's tax rates (public: prices are shown before tax).
#[utoipa::path(
    tag = "commerce",
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<TaxRateView>), NotFound, StandardErrors)
)]
#[get("/clinics/{id}/tax-rates")]
pub async fn tax_rates(id: web::Path<ClinicId>, mut connection: Db) -> Result<web::Json<Vec<TaxRateView>>, ApiError> {
    Ok(web::Json(tax::rates(&mut connection, *id).await?))
}

/// Sets the rate of a tax class (the clinic's admins); orders placed before keep theirs.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("class" = TaxClass, Path, description = "`standard` or `reduced` (`zero` is never taxed)"),
    ),
    request_body = TaxRateUpdate,
    responses((status = 200, body = Vec<TaxRateView>), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[put("/clinics/{id}/tax-rates/{class}")]
pub async fn set_tax_rate(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, TaxClass)>,
    ValidJson(update): ValidJson<TaxRateUpdate>,
    mut connection: Db,
) -> Result<web::Json<Vec<TaxRateView>>, ApiError> {
    let (clinic, class) = path.into_inner();
    Ok(web::Json(tax::set_rate(&mut connection, &caller, clinic, class, &update).await?))
}
