//! The catalog: the platform's category tree (its admins keep it) and each
//! clinic's products (its admins keep them; anyone sees those on sale).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{CategoryId, ClinicId, MediaId, Page, PageRequest, Principal, ProductId, Role, Valid};
use media::{Media, Purpose};
use platform::audit::{self, AuditEntry};

use crate::api::{CategoryDraft, CategoryView, ProductDraft, ProductView};
use crate::models::{Category, Product};
use db::schema::{commerce_categories, commerce_products};

kernel::constraint_fields!(
    "commerce_products_sku_unique" => "sku",
    "commerce_categories_sibling_name" => "name",
);

/// The owner type of product images in `media`.
pub const PRODUCT: &str = "product";

/// Every category, by name (the tree is small: the client nests it by `parent_id`).
pub async fn categories(connection: &mut AsyncPgConnection) -> kernel::Result<Vec<CategoryView>> {
    let rows: Vec<Category> = commerce_categories::table
        .order((commerce_categories::name, commerce_categories::id))
        .select(Category::as_select())
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|row| CategoryView { id: row.id, name: row.name, parent_id: row.parent_id }).collect())
}

/// Adds a category (platform admins); a name is unique among its siblings.
pub async fn add_category(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    draft: &Valid<CategoryDraft>,
) -> kernel::Result<CategoryView> {
    principal.require(Role::PlatformAdmin)?;
    let category = Category { id: CategoryId::new(), parent_id: draft.parent_id, name: draft.name.trim().to_owned() };
    diesel::insert_into(commerce_categories::table).values(&category).execute(connection).await?;
    Ok(CategoryView { id: category.id, name: category.name, parent_id: category.parent_id })
}

/// `category` and every category under it; empty for an unknown one.
pub async fn subtree(connection: &mut AsyncPgConnection, category: CategoryId) -> kernel::Result<Vec<CategoryId>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: CategoryId,
    }
    let found: Vec<Found> = diesel::sql_query(
        "WITH RECURSIVE tree AS (
             SELECT id FROM commerce_categories WHERE id = $1
             UNION SELECT child.id FROM commerce_categories child JOIN tree ON child.parent_id = tree.id)
         SELECT id FROM tree",
    )
    .bind::<diesel::sql_types::Uuid, _>(category)
    .load(connection)
    .await?;
    Ok(found.into_iter().map(|row| row.id).collect())
}

/// Adds a product to the clinic's catalog (its admins).
pub async fn add_product(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    draft: &Valid<ProductDraft>,
) -> kernel::Result<ProductView> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_ADMINS)?;
    let id = ProductId::new();
    db::transaction(connection, async |connection| {
        diesel::insert_into(commerce_products::table)
            .values((commerce_products::id.eq(id), commerce_products::clinic_id.eq(clinic.id), Columns::from(&**draft)))
            .execute(connection)
            .await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "product.created", "product", id)).await
    })
    .await?;
    Ok(view(found(connection, id).await?, clinic.currency))
}

/// Replaces a product's description, price and rules (its clinic's admins).
/// Its stock changes only by adjustments and orders.
pub async fn update_product(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ProductId,
    draft: &Valid<ProductDraft>,
) -> kernel::Result<ProductView> {
    let (product, currency) = managed(connection, principal, clinic, id).await?;
    db::transaction(connection, async |connection| {
        diesel::update(commerce_products::table.find(id))
            .set((Columns::from(&**draft), commerce_products::updated_at.eq(diesel::dsl::now)))
            .execute(connection)
            .await?;
        let mut changes = serde_json::Map::new();
        if product.price != draft.price {
            changes.insert("price".to_owned(), serde_json::json!({ "from": product.price, "to": draft.price }));
        }
        if product.is_active != draft.is_active {
            changes.insert(
                "is_active".to_owned(),
                serde_json::json!({ "from": product.is_active, "to": draft.is_active }),
            );
        }
        let entry = AuditEntry::new(Some(principal.user_id), "product.updated", "product", id)
            .with_changes(serde_json::Value::Object(changes));
        audit::record(connection, entry).await
    })
    .await?;
    Ok(view(found(connection, id).await?, currency))
}

/// A product on sale (anyone), or any product of the caller's clinic (its staff).
pub async fn product(
    connection: &mut AsyncPgConnection,
    principal: Option<&Principal>,
    id: ProductId,
) -> kernel::Result<ProductView> {
    let product = found(connection, id).await?;
    if !product.is_active && !principal.is_some_and(|principal| is_staff(principal, product.clinic_id)) {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    let currency = clinics::scheduling::clinic(connection, product.clinic_id).await?.currency;
    Ok(view(product, currency))
}

/// The clinic's products, on sale or not, newest first (its staff).
pub async fn of_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    page: &PageRequest,
) -> kernel::Result<Page<ProductView>> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_STAFF)?;
    let mut query = commerce_products::table
        .filter(commerce_products::clinic_id.eq(clinic.id))
        .order(commerce_products::id.desc())
        .limit(page.fetch_limit())
        .select(Product::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_products::id.lt(after));
    }
    let rows = query.load(connection).await?;
    Ok(Page::from_rows(rows, page, |product| product.id.0).map(|product| view(product, clinic.currency.clone())))
}

/// Sets the product's picture to one of the caller's `product_image` uploads
/// (its clinic's admins); the previous one is let go.
pub async fn set_image(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ProductId,
    image: MediaId,
) -> kernel::Result<ProductView> {
    let (product, currency) = managed(connection, principal, clinic, id).await?;
    db::transaction(connection, async |connection| {
        media::service::claim(connection, principal, image, Purpose::ProductImage, (PRODUCT, id.0)).await?;
        if let Some(previous) = product.image_id {
            media::service::release(connection, previous).await?;
        }
        diesel::update(commerce_products::table.find(id))
            .set((commerce_products::image_id.eq(image), commerce_products::updated_at.eq(diesel::dsl::now)))
            .execute(connection)
            .await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "product.image_changed", "product", id))
            .await
    })
    .await?;
    Ok(view(found(connection, id).await?, currency))
}

/// The picture of a product on sale (public).
pub async fn image(connection: &mut AsyncPgConnection, id: ProductId) -> kernel::Result<Media> {
    let product = found(connection, id).await?;
    match product.image_id {
        Some(image) if product.is_active => media::service::row(connection, image).await,
        _ => Err(kernel::Error::NotFound { resource: "product image" }),
    }
}

/// The product `id` of `clinic` and the clinic's currency, for its admins.
async fn managed(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ProductId,
) -> kernel::Result<(Product, String)> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_ADMINS)?;
    let product = found(connection, id).await?;
    if product.clinic_id != clinic.id {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    Ok((product, clinic.currency))
}

/// The product `id`, on sale or not.
pub(crate) async fn found(connection: &mut AsyncPgConnection, id: ProductId) -> kernel::Result<Product> {
    commerce_products::table
        .find(id)
        .select(Product::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "product" })
}

/// Staff of the clinic, or a platform admin.
pub(crate) fn is_staff(principal: &Principal, clinic: ClinicId) -> bool {
    principal.require_staff(clinic, Role::CLINIC_STAFF).is_ok()
}

/// How the shop shows `product`, priced in `currency`.
pub fn view(product: Product, currency: String) -> ProductView {
    ProductView {
        id: product.id,
        clinic_id: product.clinic_id,
        in_stock: product.available(),
        sku: product.sku,
        name: product.name,
        description: product.description,
        category_id: product.category_id,
        species: product.species,
        price: product.price,
        currency,
        tax_class: product.tax_class,
        prescription_required: product.prescription_required,
        drug: product.drug,
        track_stock: product.track_stock,
        low_stock_threshold: product.low_stock_threshold,
        image_id: product.image_id,
        is_active: product.is_active,
        updated_at: product.updated_at,
    }
}

/// The columns a draft writes.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = commerce_products, treat_none_as_default_value = false, treat_none_as_null = true)]
struct Columns<'a> {
    sku: &'a str,
    name: &'a str,
    description: &'a str,
    category_id: Option<CategoryId>,
    species: &'a [kernel::Species],
    price: rust_decimal::Decimal,
    tax_class: crate::api::TaxClass,
    prescription_required: bool,
    drug: Option<&'a str>,
    track_stock: bool,
    low_stock_threshold: i32,
    is_active: bool,
}

impl<'a> From<&'a ProductDraft> for Columns<'a> {
    fn from(draft: &'a ProductDraft) -> Self {
        Self {
            sku: draft.sku.trim(),
            name: draft.name.trim(),
            description: &draft.description,
            category_id: draft.category_id,
            species: &draft.species,
            price: draft.price,
            tax_class: draft.tax_class,
            prescription_required: draft.prescription_required,
            drug: draft.drug.as_deref().map(str::trim),
            track_stock: draft.track_stock,
            low_stock_threshold: draft.low_stock_threshold,
            is_active: draft.is_active,
        }
    }
}
