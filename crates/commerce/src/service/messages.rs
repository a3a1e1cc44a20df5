//! What commerce tells people: the owner about each change of their order
//! (in its transaction) and each invoice issued to them, a clinic's admins
//! about stock running low.

use clinics::scheduling::Clinic;
use diesel_async::AsyncPgConnection;
use kernel::{Role, UserId};
use notifications::{Attachment, Category, Notification, Template};
use serde_json::json;

use crate::api::InvoiceView;
use crate::models::{Order, Product};

/// Tells the order's owner `headline` and `details`, from the clinic.
pub async fn tell_owner(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    order: &Order,
    headline: &str,
    details: String,
) -> kernel::Result<()> {
    let Some(owner) = order.owner_id else { return Ok(()) };
    let notice = Notification {
        category: Category::Order,
        template: Template::OrderUpdate,
        data: json!({ "order_number": order.number(), "headline": headline, "details": details }),
        sender: clinic.sender(),
        attachments: Vec::new(),
    };
    notifications::notify(connection, owner, &notice).await.map(drop)
}

/// Sends `owner` the issued `invoice` (or credit note) with its PDF, from the clinic.
pub async fn invoice_issued(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    owner: UserId,
    invoice: &InvoiceView,
    pdf: Attachment,
) -> kernel::Result<()> {
    let issued = invoice.issued_at.unwrap_or(invoice.created_at).with_timezone(&clinic.zone);
    let notice = Notification {
        category: Category::Order,
        template: Template::InvoiceIssued,
        data: json!({
            "clinic_name": clinic.name,
            "document": crate::pdf::title(invoice),
            "total": money(invoice.total, &invoice.currency),
            "issued_on": issued.format("%-d %B %Y").to_string(),
        }),
        sender: clinic.sender(),
        attachments: vec![pdf],
    };
    notifications::notify(connection, owner, &notice).await.map(drop)
}

/// Tells the clinic's admins that `product` is down to `left` units.
pub async fn low_stock(connection: &mut AsyncPgConnection, product: &Product, left: i32) -> kernel::Result<()> {
    let admins = clinics::service::staff::members_in(connection, product.clinic_id, Role::CLINIC_ADMINS).await?;
    let notice = Notification::account_notice(
        &format!("Low stock: {}", product.name),
        &format!(
            "{} (SKU {}) is down to {left} in stock, at or below its threshold of {}.",
            product.name, product.sku, product.low_stock_threshold
        ),
    );
    let notices: Vec<_> = admins.iter().map(|admin| (*admin, &notice)).collect();
    notifications::notify_each(connection, &notices).await.map(drop)
}

/// `12.50 EUR`.
pub fn money(amount: rust_decimal::Decimal, currency: &str) -> String {
    format!("{amount} {currency}")
}
