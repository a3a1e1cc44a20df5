//! The catalog: categories, products, tax rates and stock.

use chrono::{DateTime, Utc};
use kernel::{CategoryId, ClinicId, MediaId, ProductId, Species, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::amount;

kernel::text_enum!(
    /// How a product is taxed; each clinic sets the rate of each class.
    TaxClass as ProductTaxClass {
        /// The clinic's standard rate.
        Standard = "standard",
        /// The clinic's reduced rate (food, some medicines, where the law says so).
        Reduced = "reduced",
        /// Not taxed.
        Zero = "zero",
    }
);

kernel::text_enum!(
    /// Why stock changed.
    StockReason as StockMovementReason {
        /// Goods received.
        Received = "received",
        /// A count found another quantity.
        Counted = "counted",
        /// Damaged goods taken out.
        Damaged = "damaged",
        /// Expired goods taken out.
        Expired = "expired",
        /// Goods brought back.
        Returned = "returned",
        /// Anything else (say what in the note).
        Other = "other",
        /// Taken by an order at checkout.
        Reserved = "reserved",
        /// Given back by a cancelled or expired order.
        Released = "released",
        /// Returned goods put back by a refund.
        Refunded = "refunded",
    }
);

impl StockReason {
    /// The reasons staff give; the others are the orders'.
    pub const MANUAL: [Self; 6] =
        [Self::Received, Self::Counted, Self::Damaged, Self::Expired, Self::Returned, Self::Other];
}

/// `POST /product-categories` (platform admins).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CategoryDraft {
    /// The name, unique among its siblings.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The parent category; none for a top-level one.
    #[serde(default)]
    pub parent_id: Option<CategoryId>,
}

/// A category of the catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    /// The category's id.
    pub id: CategoryId,
    /// Its name.
    pub name: String,
    /// Its parent; `null` at the top.
    pub parent_id: Option<CategoryId>,
}

/// What a clinic admin says about a product (`POST` and `PUT`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "ProductDraft::prescription_names_a_drug"))]
pub struct ProductDraft {
    /// Stock keeping unit, unique in the clinic.
    #[validate(length(min = 1, max = 64), custom(function = "platform::validation::one_line"))]
    #[schema(min_length = 1, max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f]+$")]
    pub sku: String,
    /// The name shown.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// What it is.
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Its category.
    #[serde(default)]
    pub category_id: Option<CategoryId>,
    /// Species it is for; empty for all.
    #[serde(default)]
    #[validate(length(max = 8))]
    #[schema(max_items = 8)]
    pub species: Vec<Species>,
    /// Price before tax, in the clinic's currency.
    #[serde(with = "rust_decimal::serde::str")]
    #[validate(custom(function = "amount"))]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "24.90")]
    pub price: Decimal,
    /// How it is taxed.
    #[serde(default = "standard")]
    pub tax_class: TaxClass,
    /// Sold only for a pet with a prescription from the clinic naming `drug`.
    #[serde(default)]
    pub prescription_required: bool,
    /// The drug it contains, as medication records name it (required with
    /// `prescription_required`; matched without regard to case).
    #[serde(default)]
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub drug: Option<String>,
    /// Whether stock is counted (services and made-to-order goods are not).
    #[serde(default = "yes")]
    pub track_stock: bool,
    /// At or below this quantity the clinic's admins are told.
    #[serde(default, deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 0, max = 1_000_000))]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub low_stock_threshold: i32,
    /// On sale; an inactive product is hidden from the shop.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn standard() -> TaxClass {
    TaxClass::Standard
}

fn yes() -> bool {
    true
}

impl ProductDraft {
    fn prescription_names_a_drug(&self) -> Result<(), validator::ValidationError> {
        if self.prescription_required && self.drug.is_none() {
            return Err(validator::ValidationError::new("drug")
                .with_message("a product that needs a prescription names its drug".into()));
        }
        Ok(())
    }
}

/// A product as the shop shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    /// The product's id.
    pub id: ProductId,
    /// The clinic selling it.
    pub clinic_id: ClinicId,
    /// Stock keeping unit.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Species it is for; empty for all.
    pub species: Vec<Species>,
    /// Price before tax.
    #[schema(value_type = String, example = "24.90")]
    pub price: Decimal,
    /// The clinic's currency (ISO 4217).
    pub currency: String,
    /// How it is taxed.
    pub tax_class: TaxClass,
    /// Needs a prescription from the clinic.
    pub prescription_required: bool,
    /// The drug it contains.
    pub drug: Option<String>,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// Units that can be sold now (`null` when stock is not counted).
    pub in_stock: Option<i32>,
    /// The threshold of the low-stock notice.
    pub low_stock_threshold: i32,
    /// Its picture (`GET /products/{id}/image`).
    pub image_id: Option<MediaId>,
    /// On sale.
    pub is_active: bool,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// `GET /products`: the shop's search.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ProductSearch {
    /// Words in the name, SKU, drug or description.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Only this clinic's products.
    pub clinic_id: Option<ClinicId>,
    /// Only this category and those under it.
    pub category: Option<CategoryId>,
    /// Only products for this species (or for all).
    #[param(inline)]
    pub species: Option<Species>,
    /// At least this price.
    #[serde(default, deserialize_with = "optional_amount")]
    #[validate(custom(function = "amount"))]
    #[param(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$")]
    pub min_price: Option<Decimal>,
    /// At most this price.
    #[serde(default, deserialize_with = "optional_amount")]
    #[validate(custom(function = "amount"))]
    #[param(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$")]
    pub max_price: Option<Decimal>,
    /// Only what can be bought now.
    pub in_stock: Option<bool>,
}

/// A price in a query: absent is none, anything else (even empty) must parse.
fn optional_amount<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|text| text.parse::<Decimal>().map_err(serde::de::Error::custom)).transpose()
}

/// `PUT /clinics/{id}/tax-rates/{class}`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TaxRateUpdate {
    /// The rate as a fraction: `"0.2"` is 20%; 0 up to (not including) 1,
    /// at most four decimals.
    #[serde(with = "rust_decimal::serde::str")]
    #[validate(custom(function = "rate"))]
    #[schema(value_type = String, pattern = "^0(\\.[0-9]{1,4})?$", example = "0.2")]
    pub rate: Decimal,
}

fn rate(value: &Decimal) -> Result<(), validator::ValidationError> {
    if value.is_sign_negative() || value.scale() > 4 || *value >= Decimal::ONE {
        return Err(
            validator::ValidationError::new("rate").with_message("must be 0 to 0.9999, four decimals at most".into())
        );
    }
    Ok(())
}

/// A clinic's tax rate of one class.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaxRateView {
    /// The class.
    pub tax_class: TaxClass,
    /// The rate as a fraction (`"0.2000"` is 20%).
    #[schema(value_type = String, example = "0.2000")]
    pub rate: Decimal,
}

/// `POST /clinics/{id}/products/{product_id}/stock-adjustments`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct StockAdjustment {
    /// Units added (positive) or taken out (negative); never below zero in all.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = -1_000_000, max = 1_000_000), custom(function = "not_zero"))]
    #[schema(minimum = -1_000_000, maximum = 1_000_000)]
    pub change: i32,
    /// Why (`received`, `counted`, `damaged`, `expired`, `returned`, `other`).
    pub reason: StockReason,
    /// Details.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

fn not_zero(change: i32) -> Result<(), validator::ValidationError> {
    if change == 0 {
        return Err(validator::ValidationError::new("not_zero").with_message("must not be 0".into()));
    }
    Ok(())
}

/// One change of a product's stock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockMovementView {
    /// The change's id.
    pub id: uuid::Uuid,
    /// Units added (positive) or taken (negative).
    pub change: i32,
    /// Units in stock after it.
    pub quantity_after: i32,
    /// Why.
    pub reason: StockReason,
    /// Details.
    pub note: Option<String>,
    /// The order that took or gave back the units.
    pub order_id: Option<kernel::OrderId>,
    /// Who made it (`null` for orders and jobs).
    pub actor_id: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}
