//! Checkout: the owner's cart at a clinic becomes an order, in one
//! transaction, or nothing changes.
//!
//! 0. The cart's lines are locked first: two checkouts of one cart (two
//!    keys, a double click) queue, and the second finds it emptied (422).
//! 1. Prescription products: each needs, for the pet its line names, a
//!    current medication record of the clinic naming the product's drug
//!    with a refill left (each order line that is not cancelled uses one);
//!    otherwise 422 naming the line. Checkouts using one prescription queue
//!    on it (a transaction-scoped advisory lock), so two cannot share its
//!    last refill.
//! 2. Prices and withdrawals: a line whose price changed since the owner
//!    set it, or whose product is off sale, is 409 with every such line.
//! 3. The order and its lines, priced and taxed by [`crate::money`], its
//!    payment (through the configured provider), the job that cancels it
//!    unpaid at `pay_by`, the owner's notice; the cart is emptied.
//! 4. Last, stock: each counted line takes its units with a conditional
//!    update, products in id order (so concurrent checkouts cannot
//!    deadlock), so a product's row lock is held only from there to the
//!    commit; a line short of stock is 409 naming it, and the whole order is
//!    rolled back.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, PaymentId, Principal, RecordId, Valid};
use serde_json::json;

use crate::Settings;
use crate::api::{Checkout, LineIssue, OrderStatus, OrderView, PaymentStatus, ProviderName};
use crate::jobs::ExpireOrder;
use crate::models::{CartLine, Order, OrderLine, Payment, Product};
use crate::money::{LineAmounts, Totals};
use crate::service::messages::{money, tell_owner};
use crate::service::{cart, catalog, orders, stock, tax};
use db::schema::{commerce_order_lines, commerce_orders, commerce_payments};

/// Places the caller's cart at `clinic` as an order (see the module).
pub async fn checkout(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic: ClinicId,
    request: &Valid<Checkout>,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let clinic = clinics::scheduling::bookable_clinic(connection, clinic).await?;
    let order = db::transaction(connection, async |connection| {
        cart::lock(connection, principal.user_id, clinic.id).await?;
        let lines = cart::lines(connection, principal.user_id, clinic.id).await?;
        if lines.is_empty() {
            return Err(kernel::Error::invalid_field("cart", "is empty"));
        }
        let today = clinics::schedule::local_date(clinic.zone, now);
        let mut prescriptions = Vec::with_capacity(lines.len());
        for (line, product) in &lines {
            prescriptions.push(prescription(connection, principal, line, product, today).await?);
        }
        let changed: Vec<_> = lines
            .iter()
            .filter_map(|(line, product)| {
                let issue = cart::issue(line, product).filter(|issue| *issue != LineIssue::OutOfStock)?;
                Some(refused_line(product, issue, product.available()))
            })
            .collect();
        if !changed.is_empty() {
            return Err(refused("some lines changed since they were added: review the cart", &changed));
        }
        let id = OrderId::new();
        let rates = tax::rates_of(connection, clinic.id).await?;
        let priced: Vec<LineAmounts> = lines
            .iter()
            .map(|(line, product)| {
                LineAmounts::of(line.unit_price, line.quantity, tax::rate_of(&rates, product.tax_class))
            })
            .collect();
        let totals = Totals::of(&priced);
        let order = Order {
            id,
            clinic_id: clinic.id,
            owner_id: Some(principal.user_id),
            status: OrderStatus::PendingPayment,
            currency: clinic.currency.clone(),
            subtotal: totals.subtotal,
            tax_total: totals.tax_total,
            total: totals.total(),
            fulfilment: request.fulfilment,
            shipping_address: request.shipping_address.as_ref().map(|address| json!(address)),
            tracking_number: None,
            note: request.note.clone(),
            pay_by: now + hold(settings),
            paid_at: None,
            fulfilled_at: None,
            delivered_at: None,
            cancelled_at: None,
            cancel_reason: None,
            created_at: now,
        };
        diesel::insert_into(commerce_orders::table).values(&order).execute(connection).await?;
        let order_lines: Vec<OrderLine> = lines
            .iter()
            .zip(&priced)
            .zip(prescriptions)
            .map(|(((line, product), amounts), prescription)| OrderLine {
                id: uuid::Uuid::now_v7(),
                order_id: id,
                product_id: Some(product.id),
                pet_id: line.pet_id,
                prescription_id: prescription,
                sku: product.sku.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                tax_rate: tax::rate_of(&rates, product.tax_class),
                net: amounts.net,
                tax: amounts.tax,
                reserved: product.track_stock,
                returned: 0,
            })
            .collect();
        diesel::insert_into(commerce_order_lines::table).values(&order_lines).execute(connection).await?;
        let payment = Payment {
            id: PaymentId::new(),
            order_id: id,
            provider: settings.payments,
            reference: None,
            status: PaymentStatus::Pending,
            amount: order.total,
            currency: order.currency.clone(),
            captured: rust_decimal::Decimal::ZERO,
            refunded: rust_decimal::Decimal::ZERO,
            method: None,
            recorded_by: None,
        };
        diesel::insert_into(commerce_payments::table).values(&payment).execute(connection).await?;
        cart::clear(connection, principal.user_id, clinic.id).await?;
        let deadline = jobs::EnqueueOptions { run_at: Some(order.pay_by), ..Default::default() };
        jobs::enqueue(connection, &ExpireOrder { order_id: id }, deadline).await?;
        let by = order.pay_by.with_timezone(&clinic.zone).format("%a %-d %b %Y, %H:%M");
        let pay = match settings.payments {
            ProviderName::Offline => format!("Pay at {} by {by}.", clinic.name),
            ProviderName::Stripe => format!("Complete the payment in the app by {by}."),
        };
        let total = money(order.total, &order.currency);
        let details = format!("Your order of {total} is placed. {pay} {}", orders::next_step(&order, &clinic));
        tell_owner(connection, &clinic, &order, "Order placed", details).await?;
        let mut taking: Vec<&(CartLine, Product)> = lines.iter().filter(|(_, product)| product.track_stock).collect();
        taking.sort_by_key(|(_, product)| product.id);
        let mut short = Vec::new();
        for (line, product) in taking {
            if stock::take(connection, product.id, line.quantity, id, now).await?.is_none() {
                let left = catalog::found(connection, product.id).await?.stock_quantity;
                short.push(refused_line(product, LineIssue::OutOfStock, Some(left)));
            }
        }
        if !short.is_empty() {
            return Err(refused("not enough in stock for some lines", &short));
        }
        Ok(order)
    })
    .await?;
    orders::view(connection, order).await
}

/// How long an unpaid order holds its stock: paying at the clinic takes a
/// visit, paying online a few minutes.
fn hold(settings: &Settings) -> Duration {
    match settings.payments {
        ProviderName::Offline => Duration::hours(settings.offline_hold_hours),
        ProviderName::Stripe => Duration::minutes(settings.online_hold_minutes),
    }
}

/// The prescription a line uses: `None` for a product that needs none;
/// 422 naming the line when no current one has a refill left.
async fn prescription(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    line: &CartLine,
    product: &Product,
    today: chrono::NaiveDate,
) -> kernel::Result<Option<RecordId>> {
    let (true, Some(drug)) = (product.prescription_required, product.drug.as_deref()) else { return Ok(None) };
    let field = format!("lines.{}", product.id);
    let Some(pet) = line.pet_id else {
        return Err(kernel::Error::invalid_field(field, "needs a prescription: name the pet it is for"));
    };
    cart::owned_pet(connection, principal, pet).await?;
    for current in pets::service::prescriptions::current(connection, pet, product.clinic_id, drug, today).await? {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(current.record_id.to_string())
            .execute(connection)
            .await?;
        if fills(connection, current.record_id).await? < i64::from(current.refills) {
            return Ok(Some(current.record_id));
        }
    }
    Err(kernel::Error::invalid_field(
        field,
        format!(
            "{} needs a current prescription of {drug} from this clinic for the pet, with a refill left",
            product.name
        ),
    ))
}

/// The order lines (not cancelled) that used the prescription.
async fn fills(connection: &mut AsyncPgConnection, prescription: RecordId) -> kernel::Result<i64> {
    Ok(commerce_order_lines::table
        .inner_join(commerce_orders::table)
        .filter(commerce_order_lines::prescription_id.eq(prescription))
        .filter(commerce_orders::status.ne(OrderStatus::Cancelled))
        .count()
        .get_result(connection)
        .await?)
}

/// 409 naming each line and what changed.
fn refused(message: &str, lines: &[serde_json::Value]) -> kernel::Error {
    kernel::Error::Conflict { message: message.to_owned(), details: json!({ "lines": lines }) }
}

/// A refused line: the product, what changed, its price and the units left now.
fn refused_line(product: &Product, issue: LineIssue, available: Option<i32>) -> serde_json::Value {
    json!({ "product_id": product.id, "issue": issue, "price": product.price, "available": available })
}
