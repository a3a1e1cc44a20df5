//! What commerce tells people: the owner about each change of their order
//! (in its transaction), each invoice issued to them and each change of
//! their pet's plan or repeat order, a clinic's admins about stock running
//! low, its clinicians about a prescription to renew.

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

/// Tells `owner` about their pet's plan or repeat order (`plan_name`), from the clinic.
pub async fn tell_member(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    owner: Option<UserId>,
    pet: kernel::PetId,
    plan_name: &str,
    headline: &str,
    details: String,
) -> kernel::Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let pet_name = pets::service::pets::name_of(connection, pet).await?;
    let notice = Notification {
        category: Category::Order,
        template: Template::PlanUpdate,
        data: json!({ "pet_name": pet_name, "plan_name": plan_name, "headline": headline, "details": details }),
        sender: clinic.sender(),
        attachments: Vec::new(),
    };
    notifications::notify(connection, owner, &notice).await.map(drop)
}

/// Asks the clinic's clinicians to renew the prescription of `drug` for `pet`.
pub async fn renewal_request(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    pet: kernel::PetId,
    drug: &str,
    why: &str,
) -> kernel::Result<()> {
    let pet_name = pets::service::pets::name_of(connection, pet).await?;
    let clinicians = clinics::service::staff::members_in(connection, clinic.id, Role::CLINICIANS).await?;
    let notice = Notification::account_notice(
        &format!("Prescription renewal requested: {pet_name}, {drug}"),
        &format!("{pet_name}'s repeat order of {drug} stopped: {why} Renew the prescription to restart it."),
    );
    let notices: Vec<_> = clinicians.iter().map(|clinician| (*clinician, &notice)).collect();
    notifications::notify_each(connection, &notices).await.map(drop)
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
