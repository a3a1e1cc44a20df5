//! An owner's cart at a clinic.

use chrono::{DateTime, Utc};
use kernel::{ClinicId, PetId, ProductId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// `PUT /carts/{clinic_id}/lines/{product_id}`: the quantity wanted (the
/// price shown now becomes the one the owner agreed to).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CartLineUpdate {
    /// Units wanted.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 999))]
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i32,
    /// The pet it is for: required for a product that needs a prescription.
    #[serde(default)]
    pub pet_id: Option<PetId>,
}

kernel::text_enum!(
    /// What changed about a cart line since it was added.
    LineIssue as CartLineIssue {
        /// The price is not the one the owner agreed to (`price` is the new one).
        PriceChanged = "price_changed",
        /// Fewer units can be sold than the line wants (`available` says how many).
        OutOfStock = "out_of_stock",
        /// No longer on sale.
        Unavailable = "unavailable",
    }
);

/// One line of a cart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartLineView {
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Units wanted.
    pub quantity: i32,
    /// The pet it is for.
    pub pet_id: Option<PetId>,
    /// The unit price the owner agreed to.
    #[schema(value_type = String, example = "24.90")]
    pub agreed_price: Decimal,
    /// The unit price now.
    #[schema(value_type = String, example = "24.90")]
    pub price: Decimal,
    /// Units that can be sold now (`null` when stock is not counted).
    pub available: Option<i32>,
    /// Needs a prescription.
    pub prescription_required: bool,
    /// What stands in the way of checking it out, if anything.
    pub issue: Option<LineIssue>,
    /// When it was added.
    pub added_at: DateTime<Utc>,
}

/// An owner's cart at a clinic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartView {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Its currency.
    pub currency: String,
    /// The lines, oldest first.
    pub lines: Vec<CartLineView>,
    /// The sum of the lines at today's prices, before tax.
    #[schema(value_type = String, example = "49.80")]
    pub subtotal: Decimal,
}
