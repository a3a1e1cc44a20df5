//! Invoices and credit notes.

use chrono::{DateTime, Utc};
use kernel::{AppointmentId, ClinicId, OrderId, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::TaxClass;

kernel::text_enum!(
    /// What a document is.
    InvoiceKind as InvoiceKind {
        /// An invoice.
        Invoice = "invoice",
        /// A credit note cancelling an issued invoice.
        CreditNote = "credit_note",
    }
);

kernel::text_enum!(
    /// Where an invoice stands.
    InvoiceStatus as InvoiceStatus {
        /// Being prepared by the clinic; the owner does not see it yet.
        Draft = "draft",
        /// Numbered and final.
        Issued = "issued",
    }
);

/// A line of a draft, as the clinic's staff set it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLineDraft {
    /// What was sold or done.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub description: String,
    /// Units.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 999))]
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i32,
    /// Unit price before tax.
    #[serde(with = "rust_decimal::serde::str")]
    #[validate(custom(function = "super::amount"))]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "45.00")]
    pub unit_price: Decimal,
    /// How it is taxed (the clinic's rate of the class).
    #[serde(default = "standard")]
    pub tax_class: TaxClass,
}

fn standard() -> TaxClass {
    TaxClass::Standard
}

/// `PUT /clinics/{id}/invoices/{invoice_id}/lines`: a draft's lines, all of them.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLines {
    /// The lines, in order.
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Vec<InvoiceLineDraft>,
}

/// `POST /clinics/{id}/invoices/{invoice_id}/credit-notes`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreditRequest {
    /// Why the invoice is cancelled.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// A line of an invoice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceLineView {
    /// What was sold or done.
    pub description: String,
    /// Units.
    pub quantity: i32,
    /// Unit price before tax.
    #[schema(value_type = String, example = "45.00")]
    pub unit_price: Decimal,
    /// The tax rate (`"0.2000"` is 20%).
    #[schema(value_type = String, example = "0.2000")]
    pub tax_rate: Decimal,
    /// `unit_price × quantity`.
    #[schema(value_type = String, example = "45.00")]
    pub net: Decimal,
    /// The line's tax, rounded to the cent.
    #[schema(value_type = String, example = "9.00")]
    pub tax: Decimal,
}

/// An invoice or credit note.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceView {
    /// Its id.
    pub id: uuid::Uuid,
    /// Invoice or credit note.
    pub kind: InvoiceKind,
    /// Draft or issued.
    pub status: InvoiceStatus,
    /// The clinic's number, once issued (`null` for a draft).
    pub number: Option<i32>,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Who is invoiced.
    pub owner_id: Option<UserId>,
    /// The order it bills.
    pub order_id: Option<OrderId>,
    /// The visit it bills.
    pub appointment_id: Option<AppointmentId>,
    /// The invoice a credit note cancels.
    pub credits_id: Option<uuid::Uuid>,
    /// The currency.
    pub currency: String,
    /// The lines.
    pub lines: Vec<InvoiceLineView>,
    /// The sum of the lines' `net`.
    #[schema(value_type = String, example = "45.00")]
    pub subtotal: Decimal,
    /// The sum of the lines' `tax`.
    #[schema(value_type = String, example = "9.00")]
    pub tax_total: Decimal,
    /// `subtotal + tax_total`.
    #[schema(value_type = String, example = "54.00")]
    pub total: Decimal,
    /// A credit note's reason.
    pub note: Option<String>,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}
