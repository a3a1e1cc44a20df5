//! Placing an order, the one way every sale becomes an order (a cart's
//! checkout, a plan's period, an autoship run), inside the caller's
//! transaction: the order and its lines priced and taxed by
//! [`crate::money`], its payment with the configured provider, the job that
//! cancels it unpaid at `pay_by`, and, last, the stock of its counted lines
//! (taken products in id order, so concurrent orders cannot deadlock, and a
//! product's row lock is held only from there to the commit). A line short
//! of stock is 409 naming it, and the caller's transaction rolls back.

use chrono::{DateTime, Utc};
use clinics::scheduling::Clinic;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{OrderId, PaymentId, PetId, ProductId, RecordId, UserId};
use rust_decimal::Decimal;
use serde_json::json;

use crate::Settings;
use crate::api::{Fulfilment, LineIssue, OrderStatus, PaymentStatus, TaxClass};
use crate::jobs::ExpireOrder;
use crate::models::{Order, OrderLine, Payment};
use crate::money::{LineAmounts, Totals};
use crate::service::{catalog, stock, tax};
use db::schema::{commerce_order_lines, commerce_orders, commerce_payments};

/// One line to sell.
#[derive(Debug, Clone)]
pub struct NewLine {
    /// The product, or `None` for what is not in the catalog (a plan's period).
    pub product_id: Option<ProductId>,
    /// Whether the product's stock is counted (its units are taken).
    pub track_stock: bool,
    /// The pet it is for.
    pub pet_id: Option<PetId>,
    /// The prescription it uses a refill of.
    pub prescription_id: Option<RecordId>,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Units.
    pub quantity: i32,
    /// Price per unit, before tax.
    pub unit_price: Decimal,
    /// How it is taxed.
    pub tax_class: TaxClass,
}

/// An order to place.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// Who buys.
    pub owner: UserId,
    /// Its lines, in the order shown.
    pub lines: Vec<NewLine>,
    /// Picked up or shipped.
    pub fulfilment: Fulfilment,
    /// Where a shipment goes.
    pub shipping_address: Option<serde_json::Value>,
    /// For the clinic.
    pub note: Option<String>,
    /// Unpaid by then, it is cancelled.
    pub pay_by: DateTime<Utc>,
}

/// Places `order` at `clinic` (see the module).
pub async fn place(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    clinic: &Clinic,
    order: NewOrder,
    now: DateTime<Utc>,
) -> kernel::Result<Order> {
    let id = OrderId::new();
    let rates = tax::rates_of(connection, clinic.id).await?;
    let rated: Vec<(Decimal, LineAmounts)> = order
        .lines
        .iter()
        .map(|line| {
            let rate = tax::rate_of(&rates, line.tax_class);
            (rate, LineAmounts::of(line.unit_price, line.quantity, rate))
        })
        .collect();
    let totals = Totals::of(rated.iter().map(|(_, amounts)| amounts));
    let placed = Order {
        id,
        clinic_id: clinic.id,
        owner_id: Some(order.owner),
        status: OrderStatus::PendingPayment,
        currency: clinic.currency.clone(),
        subtotal: totals.subtotal,
        tax_total: totals.tax_total,
        total: totals.total(),
        fulfilment: order.fulfilment,
        shipping_address: order.shipping_address,
        tracking_number: None,
        note: order.note,
        pay_by: order.pay_by,
        paid_at: None,
        fulfilled_at: None,
        delivered_at: None,
        cancelled_at: None,
        cancel_reason: None,
        created_at: now,
    };
    diesel::insert_into(commerce_orders::table).values(&placed).execute(connection).await?;
    let lines: Vec<OrderLine> = order
        .lines
        .iter()
        .zip(&rated)
        .map(|(line, (rate, amounts))| OrderLine {
            id: uuid::Uuid::now_v7(),
            order_id: id,
            product_id: line.product_id,
            pet_id: line.pet_id,
            prescription_id: line.prescription_id,
            sku: line.sku.clone(),
            name: line.name.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            tax_rate: *rate,
            net: amounts.net,
            tax: amounts.tax,
            reserved: line.track_stock,
            returned: 0,
        })
        .collect();
    diesel::insert_into(commerce_order_lines::table).values(&lines).execute(connection).await?;
    let payment = Payment {
        id: PaymentId::new(),
        order_id: id,
        provider: settings.payments,
        reference: None,
        status: PaymentStatus::Pending,
        amount: placed.total,
        currency: placed.currency.clone(),
        captured: Decimal::ZERO,
        refunded: Decimal::ZERO,
        method: None,
        recorded_by: None,
    };
    diesel::insert_into(commerce_payments::table).values(&payment).execute(connection).await?;
    let deadline = jobs::EnqueueOptions { run_at: Some(placed.pay_by), ..Default::default() };
    jobs::enqueue(connection, &ExpireOrder { order_id: id }, deadline).await?;
    let mut taking: Vec<(ProductId, i32)> = order
        .lines
        .iter()
        .filter(|line| line.track_stock)
        .filter_map(|line| Some((line.product_id?, line.quantity)))
        .collect();
    taking.sort_by_key(|(product, _)| *product);
    let mut short = Vec::new();
    for (product, quantity) in taking {
        if stock::take(connection, product, quantity, id, now).await?.is_none() {
            let product = catalog::found(connection, product).await?;
            short.push(refused_line(&product, LineIssue::OutOfStock, Some(product.stock_quantity)));
        }
    }
    if !short.is_empty() {
        return Err(refused("not enough in stock for some lines", &short));
    }
    Ok(placed)
}

/// 409 naming each line and what changed.
pub(crate) fn refused(message: &str, lines: &[serde_json::Value]) -> kernel::Error {
    kernel::Error::Conflict { message: message.to_owned(), details: json!({ "lines": lines }) }
}

/// A refused line: the product, what changed, its price and the units left now.
pub(crate) fn refused_line(
    product: &crate::models::Product,
    issue: LineIssue,
    available: Option<i32>,
) -> serde_json::Value {
    json!({ "product_id": product.id, "issue": issue, "price": product.price, "available": available })
}
