//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

mod plans;
pub use plans::*;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{CategoryId, ClinicId, MediaId, OrderId, PaymentId, PetId, ProductId, RecordId, Species, UserId};
use rust_decimal::Decimal;

use crate::api::{
    Fulfilment, InvoiceKind, InvoiceStatus, OrderStatus, PaymentMethod, PaymentStatus, PaymentView, ProviderName,
    ReportStatus, StockReason, TaxClass,
};
use db::schema::{
    commerce_cart_lines, commerce_categories, commerce_invoice_lines, commerce_invoices, commerce_order_lines,
    commerce_orders, commerce_payments, commerce_products, commerce_refunds, commerce_sales_reports,
    commerce_stock_movements,
};

/// A `commerce_categories` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_categories, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Category {
    pub id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub name: String,
}

/// A `commerce_products` row (without its search vector).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = commerce_products, check_for_backend(diesel::pg::Pg))]
pub struct Product {
    pub id: ProductId,
    pub clinic_id: ClinicId,
    pub category_id: Option<CategoryId>,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub species: Vec<Species>,
    pub price: Decimal,
    pub tax_class: TaxClass,
    pub prescription_required: bool,
    pub drug: Option<String>,
    pub track_stock: bool,
    pub stock_quantity: i32,
    pub low_stock_threshold: i32,
    pub image_id: Option<MediaId>,
    pub is_active: bool,
    pub updated_at: DateTime<Utc>,
}

impl Product {
    /// Units that can be sold now; `None` when stock is not counted.
    pub fn available(&self) -> Option<i32> {
        self.track_stock.then_some(self.stock_quantity)
    }

    /// The drug a prescription must name to sell it; `None` when it sells
    /// without one.
    pub fn prescription_drug(&self) -> Option<&str> {
        self.drug.as_deref().filter(|_| self.prescription_required)
    }
}

/// A `commerce_cart_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_cart_lines, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct CartLine {
    pub owner_id: UserId,
    pub product_id: ProductId,
    pub clinic_id: ClinicId,
    pub pet_id: Option<PetId>,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub added_at: DateTime<Utc>,
}

/// A `commerce_orders` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_orders, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Order {
    pub id: OrderId,
    pub clinic_id: ClinicId,
    pub owner_id: Option<UserId>,
    pub status: OrderStatus,
    pub currency: String,
    pub subtotal: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
    pub fulfilment: Fulfilment,
    pub shipping_address: Option<serde_json::Value>,
    pub tracking_number: Option<String>,
    pub note: Option<String>,
    pub pay_by: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Order {
    /// The short reference owners and staff quote ([`fn@reference`]).
    pub fn number(&self) -> String {
        reference(self.id)
    }
}

/// An order's short reference: its id's last eight hex digits (its random
/// part), upper-case.
pub fn reference(order: OrderId) -> String {
    let hex = order.0.simple().to_string();
    hex[hex.len() - 8..].to_uppercase()
}

/// A `commerce_order_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_order_lines, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct OrderLine {
    pub id: uuid::Uuid,
    pub order_id: OrderId,
    pub product_id: Option<ProductId>,
    pub pet_id: Option<PetId>,
    pub prescription_id: Option<RecordId>,
    pub sku: String,
    pub name: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
    pub reserved: bool,
    pub returned: i32,
}

/// A `commerce_payments` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_payments, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Payment {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub provider: ProviderName,
    pub reference: Option<String>,
    pub status: PaymentStatus,
    pub amount: Decimal,
    pub currency: String,
    pub captured: Decimal,
    pub refunded: Decimal,
    pub method: Option<PaymentMethod>,
    pub recorded_by: Option<UserId>,
}

impl From<Payment> for PaymentView {
    fn from(payment: Payment) -> Self {
        Self {
            id: payment.id,
            provider: payment.provider,
            status: payment.status,
            amount: payment.amount,
            captured: payment.captured,
            refunded: payment.refunded,
            method: payment.method,
        }
    }
}

/// A `commerce_refunds` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_refunds, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Refund {
    pub id: uuid::Uuid,
    pub payment_id: PaymentId,
    pub amount: Decimal,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub restocked: serde_json::Value,
    pub requested_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A `commerce_invoices` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_invoices, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Invoice {
    pub id: uuid::Uuid,
    pub clinic_id: ClinicId,
    pub owner_id: Option<UserId>,
    pub order_id: Option<OrderId>,
    pub appointment_id: Option<kernel::AppointmentId>,
    pub kind: InvoiceKind,
    pub credits_id: Option<uuid::Uuid>,
    pub status: InvoiceStatus,
    pub number: Option<i32>,
    pub currency: String,
    pub subtotal: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
    pub note: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The stored PDF, once issued and rendered.
    pub media_id: Option<MediaId>,
}

/// A `commerce_invoice_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_invoice_lines, check_for_backend(diesel::pg::Pg))]
pub struct InvoiceLine {
    pub id: uuid::Uuid,
    pub invoice_id: uuid::Uuid,
    pub description: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
}

/// A `commerce_sales_reports` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_sales_reports, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct SalesReport {
    pub id: uuid::Uuid,
    pub clinic_id: ClinicId,
    pub requested_by: Option<UserId>,
    pub from_date: chrono::NaiveDate,
    pub to_date: chrono::NaiveDate,
    pub status: ReportStatus,
    pub media_id: Option<MediaId>,
    pub requested_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A `commerce_stock_movements` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_stock_movements, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct StockMovement {
    pub id: uuid::Uuid,
    pub product_id: ProductId,
    pub change: i32,
    pub quantity_after: i32,
    pub reason: StockReason,
    pub note: Option<String>,
    pub order_id: Option<OrderId>,
    pub actor_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}
