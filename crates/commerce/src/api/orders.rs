//! Checkout, orders and their payments.

use chrono::{DateTime, Utc};
use kernel::{ClinicId, OrderId, PaymentId, PetId, ProductId, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

kernel::text_enum!(
    /// Where an order stands.
    OrderStatus as OrderStatus {
        /// Placed; its stock is held until it is paid or `pay_by` passes.
        PendingPayment = "pending_payment",
        /// Paid.
        Paid = "paid",
        /// Picked up at the clinic, or shipped (with a tracking number).
        Fulfilled = "fulfilled",
        /// A shipment arrived.
        Delivered = "delivered",
        /// Called off, or not paid in time; its stock was given back.
        Cancelled = "cancelled",
        /// Everything paid was paid back.
        Refunded = "refunded",
    }
);

impl OrderStatus {
    /// Statuses of an order whose money was received (and may be paid back).
    pub const PAID: [Self; 3] = [Self::Paid, Self::Fulfilled, Self::Delivered];
}

kernel::text_enum!(
    /// How the goods reach the owner.
    Fulfilment as OrderFulfilment {
        /// Collected at the clinic.
        Pickup = "pickup",
        /// Sent to `shipping_address`.
        Shipping = "shipping",
    }
);

kernel::text_enum!(
    /// Where a payment stands.
    PaymentStatus as PaymentStatus {
        /// Waiting for the money.
        Pending = "pending",
        /// Received.
        Succeeded = "succeeded",
        /// Refused by the provider.
        Failed = "failed",
        /// The order was cancelled before it was paid.
        Cancelled = "cancelled",
    }
);

kernel::text_enum!(
    /// Who takes the money.
    ProviderName as PaymentProvider {
        /// Paid at the clinic; its staff record it.
        Offline = "offline",
        /// Stripe.
        Stripe = "stripe",
    }
);

kernel::text_enum!(
    /// How an offline payment was made.
    PaymentMethod as OfflinePaymentMethod {
        /// Cash.
        Cash = "cash",
        /// A card at the clinic's terminal.
        Card = "card",
        /// A bank transfer.
        BankTransfer = "bank_transfer",
        /// Anything else.
        Other = "other",
    }
);

/// Where a shipment goes.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ShippingAddress {
    /// Who receives it.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// Street and number.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub line1: String,
    /// More of the address.
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    /// Postal code.
    #[validate(length(min = 1, max = 20), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 20, pattern = "\\S")]
    pub postal_code: String,
    /// City.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    #[validate(length(equal = 2))]
    #[schema(pattern = "^[A-Z]{2}$", example = "FR")]
    pub country: String,
}

/// `POST /carts/{clinic_id}/checkout` (with an `Idempotency-Key`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "Checkout::address_for_shipping"))]
pub struct Checkout {
    /// Pick up at the clinic (the default) or ship.
    #[serde(default = "pickup")]
    pub fulfilment: Fulfilment,
    /// Required when shipping, refused otherwise.
    #[serde(default)]
    #[validate(nested)]
    pub shipping_address: Option<ShippingAddress>,
    /// For the clinic.
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

pub(super) fn pickup() -> Fulfilment {
    Fulfilment::Pickup
}

impl Checkout {
    fn address_for_shipping(&self) -> Result<(), validator::ValidationError> {
        address_for(self.fulfilment, self.shipping_address.as_ref())
    }
}

/// A shipping address goes with shipping, and only with it.
pub(super) fn address_for(
    fulfilment: Fulfilment,
    address: Option<&ShippingAddress>,
) -> Result<(), validator::ValidationError> {
    if (fulfilment == Fulfilment::Shipping) != address.is_some() {
        return Err(validator::ValidationError::new("shipping_address")
            .with_message("a shipping address goes with shipping, and only with it".into()));
    }
    Ok(())
}

/// One line of an order, as priced at checkout.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderLineView {
    /// The product (`null` once it was deleted).
    pub product_id: Option<ProductId>,
    /// Its SKU then.
    pub sku: String,
    /// Its name then.
    pub name: String,
    /// The pet it is for.
    pub pet_id: Option<PetId>,
    /// Units.
    pub quantity: i32,
    /// Unit price before tax.
    #[schema(value_type = String, example = "24.90")]
    pub unit_price: Decimal,
    /// The tax rate applied (`"0.2000"` is 20%).
    #[schema(value_type = String, example = "0.2000")]
    pub tax_rate: Decimal,
    /// `unit_price × quantity`.
    #[schema(value_type = String, example = "49.80")]
    pub net: Decimal,
    /// The line's tax, rounded to the cent (half away from zero).
    #[schema(value_type = String, example = "9.96")]
    pub tax: Decimal,
    /// `net + tax`.
    #[schema(value_type = String, example = "59.76")]
    pub total: Decimal,
}

/// An order's payment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentView {
    /// The payment's id.
    pub id: PaymentId,
    /// Who takes the money.
    pub provider: ProviderName,
    /// Where it stands.
    pub status: PaymentStatus,
    /// What is due.
    #[schema(value_type = String, example = "59.76")]
    pub amount: Decimal,
    /// What was received.
    #[schema(value_type = String, example = "59.76")]
    pub captured: Decimal,
    /// What was paid back.
    #[schema(value_type = String, example = "0.00")]
    pub refunded: Decimal,
    /// How an offline payment was made.
    pub method: Option<PaymentMethod>,
}

/// An order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderView {
    /// The order's id.
    pub id: OrderId,
    /// A short reference to quote (the end of the id, upper-case).
    pub number: String,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Who placed it (`null` once their account was erased).
    pub owner_id: Option<UserId>,
    /// Where it stands.
    pub status: OrderStatus,
    /// The clinic's currency.
    pub currency: String,
    /// The lines, in cart order.
    pub lines: Vec<OrderLineView>,
    /// The sum of the lines' `net`.
    #[schema(value_type = String, example = "49.80")]
    pub subtotal: Decimal,
    /// The sum of the lines' `tax` (each rounded first).
    #[schema(value_type = String, example = "9.96")]
    pub tax_total: Decimal,
    /// `subtotal + tax_total`.
    #[schema(value_type = String, example = "59.76")]
    pub total: Decimal,
    /// Pickup or shipping.
    pub fulfilment: Fulfilment,
    /// Where a shipment goes.
    #[schema(value_type = Option<ShippingAddress>)]
    pub shipping_address: Option<serde_json::Value>,
    /// The carrier's tracking number of a shipment.
    pub tracking_number: Option<String>,
    /// The owner's note.
    pub note: Option<String>,
    /// Unpaid by then, the order is cancelled.
    pub pay_by: DateTime<Utc>,
    /// The payment.
    pub payment: PaymentView,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// When it was picked up or shipped.
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// When a shipment arrived.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why.
    pub cancel_reason: Option<String>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
}

/// `POST /clinics/{id}/orders/{order_id}/payment`: the clinic took the money.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OfflinePayment {
    /// How it was paid.
    pub method: PaymentMethod,
}

/// `POST /orders/{id}/pay`: what the client's payment form confirms.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentSession {
    /// Who takes the money.
    pub provider: ProviderName,
    /// The provider's id of the payment (a Stripe PaymentIntent's).
    pub reference: String,
    /// The PaymentIntent's client secret, for Stripe's payment form.
    pub client_secret: String,
    /// The amount due.
    #[schema(value_type = String, example = "59.76")]
    pub amount: Decimal,
    /// Its currency.
    pub currency: String,
}

/// Units of a line put back in stock by a refund.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Restock {
    /// The line's product.
    pub product_id: ProductId,
    /// Units back on the shelf (at most those the line took, less those already returned).
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 999))]
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i32,
}

/// `POST /clinics/{id}/orders/{order_id}/refunds` (with an `Idempotency-Key`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// What to pay back: at most what was received less what was refunded.
    #[serde(with = "rust_decimal::serde::str")]
    #[validate(custom(function = "super::amount"), custom(function = "positive"))]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "19.90")]
    pub amount: Decimal,
    /// Why.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// Returned goods going back in stock.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub restock: Vec<Restock>,
}

fn positive(amount: &Decimal) -> Result<(), validator::ValidationError> {
    if amount.is_zero() {
        return Err(validator::ValidationError::new("positive").with_message("must be above 0".into()));
    }
    Ok(())
}

/// `POST /clinics/{id}/orders/{order_id}/fulfil`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Fulfil {
    /// The carrier's tracking number: required for a shipment, refused for a pickup.
    #[serde(default)]
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\x00-\\x1f\\x7f]+$")]
    pub tracking_number: Option<String>,
}

/// `POST /orders/{id}/cancel` and the clinic's.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// Why.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// `GET /clinics/{id}/orders` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    /// Only orders in this state.
    #[param(inline)]
    pub status: Option<OrderStatus>,
}
