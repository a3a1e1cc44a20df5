//! Orders after checkout: who sees them, and how they move on.
//!
//! `pending_payment` → `paid` (the clinic records the money) → `fulfilled`
//! (picked up, or shipped with a tracking number) → `delivered` (shipments).
//! An unpaid order is cancelled by its owner, by the clinic, or by the job
//! at `pay_by`; its stock goes back. Every change holds the order's row
//! lock, is audited, and tells the owner in the same transaction.

use chrono::{DateTime, Utc};
use clinics::scheduling::Clinic;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, Page, PageRequest, Principal, Role};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::access::{self, Viewer};
use crate::api::{
    Fulfilment, OrderFilter, OrderLineView, OrderStatus, OrderView, PaymentMethod, PaymentStatus, ProviderName,
};
use crate::models::{Order, OrderLine, Payment};
use crate::service::messages::{money, tell_owner};
use crate::service::stock;
use db::schema::{commerce_order_lines, commerce_orders, commerce_payments};

/// One order (its owner, the clinic's staff, platform admins).
pub async fn get(connection: &mut AsyncPgConnection, principal: &Principal, id: OrderId) -> kernel::Result<OrderView> {
    let (order, _) = access::resolve(connection, principal, id, false).await?;
    view(connection, order).await
}

/// The caller's orders, newest first.
pub async fn mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    page: &PageRequest,
) -> kernel::Result<Page<OrderView>> {
    let mut query = commerce_orders::table
        .filter(commerce_orders::owner_id.eq(principal.user_id))
        .order(commerce_orders::id.desc())
        .limit(page.fetch_limit())
        .select(Order::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_orders::id.lt(after));
    }
    let orders = query.load(connection).await?;
    views(connection, Page::from_rows(orders, page, |order| order.id.0)).await
}

/// The clinic's orders, newest first (its staff).
pub async fn of_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    filter: &OrderFilter,
    page: &PageRequest,
) -> kernel::Result<Page<OrderView>> {
    clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let mut query = commerce_orders::table
        .filter(commerce_orders::clinic_id.eq(clinic))
        .order(commerce_orders::id.desc())
        .limit(page.fetch_limit())
        .select(Order::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_orders::id.lt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(commerce_orders::status.eq(status));
    }
    let orders = query.load(connection).await?;
    views(connection, Page::from_rows(orders, page, |order| order.id.0)).await
}

/// The owner calls off an unpaid order; its stock goes back.
pub async fn cancel_mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: OrderId,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let (order, viewer) = access::resolve(connection, principal, id, true).await?;
        if viewer != Viewer::Owner {
            return Err(kernel::Error::NotFound { resource: "order" });
        }
        cancel(connection, order, Some(principal), reason.unwrap_or("Cancelled by the owner."), now).await
    })
    .await?;
    view(connection, order).await
}

/// The clinic calls off an unpaid order (its desk); its stock goes back.
pub async fn cancel_at_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: OrderId,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let order = access::resolve_at_desk(connection, principal, clinic, id).await?;
        cancel(connection, order, Some(principal), reason.unwrap_or("Cancelled by the clinic."), now).await
    })
    .await?;
    view(connection, order).await
}

/// The job at `pay_by`: an order still unpaid is cancelled. Run twice or
/// late, it changes nothing more.
pub async fn expire(connection: &mut AsyncPgConnection, id: OrderId, now: DateTime<Utc>) -> kernel::Result<bool> {
    db::transaction(connection, async |connection| {
        let Some(order) = access::find(connection, id, true).await? else { return Ok(false) };
        if order.status != OrderStatus::PendingPayment || order.pay_by > now {
            return Ok(false);
        }
        cancel(connection, order, None, "Not paid in time.", now).await.map(|_| true)
    })
    .await
}

/// The clinic took the money for an order paid at the clinic (its desk).
pub async fn record_payment(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: OrderId,
    method: PaymentMethod,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let order = access::resolve_at_desk(connection, principal, clinic, id).await?;
        require_status(&order, OrderStatus::PendingPayment, "only an unpaid order can be paid")?;
        let payment = payment_of(connection, order.id).await?;
        if payment.provider != ProviderName::Offline {
            return Err(kernel::Error::conflict("this order is paid online, through its payment provider"));
        }
        diesel::update(commerce_payments::table.find(payment.id))
            .set((
                commerce_payments::status.eq(PaymentStatus::Succeeded),
                commerce_payments::captured.eq(payment.amount),
                commerce_payments::method.eq(method),
                commerce_payments::recorded_by.eq(principal.user_id),
                commerce_payments::updated_at.eq(now),
            ))
            .execute(connection)
            .await?;
        diesel::update(commerce_orders::table.find(order.id))
            .set(commerce_orders::paid_at.eq(now))
            .execute(connection)
            .await?;
        let order = set_status(connection, &order, OrderStatus::Paid, now).await?;
        record(connection, principal, &order, "order.paid", json!({ "method": method, "amount": payment.amount }))
            .await?;
        crate::service::invoices::bill_order(connection, &order, now).await?;
        let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
        if !crate::service::enrollments::order_paid(connection, &clinic, &order, now).await? {
            let details =
                format!("{} received, thank you. {}", money(order.total, &order.currency), next_step(&order, &clinic));
            tell_owner(connection, &clinic, &order, "Payment received", details).await?;
        }
        Ok(order)
    })
    .await?;
    view(connection, order).await
}

/// The goods left the clinic: picked up, or shipped with a tracking number (its desk).
pub async fn fulfil(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: OrderId,
    tracking_number: Option<&str>,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let order = access::resolve_at_desk(connection, principal, clinic, id).await?;
        require_status(&order, OrderStatus::Paid, "only a paid order can be fulfilled")?;
        let details = match (order.fulfilment, tracking_number) {
            (Fulfilment::Shipping, Some(tracking)) => format!("It is on its way: tracking number {tracking}."),
            (Fulfilment::Pickup, None) => "You picked it up at the clinic.".to_owned(),
            (Fulfilment::Shipping, None) => {
                return Err(kernel::Error::invalid_field("tracking_number", "a shipment needs its tracking number"));
            }
            (Fulfilment::Pickup, Some(_)) => {
                return Err(kernel::Error::invalid_field("tracking_number", "a pickup has no tracking number"));
            }
        };
        diesel::update(commerce_orders::table.find(order.id))
            .set((commerce_orders::tracking_number.eq(tracking_number), commerce_orders::fulfilled_at.eq(now)))
            .execute(connection)
            .await?;
        let order = set_status(connection, &order, OrderStatus::Fulfilled, now).await?;
        record(connection, principal, &order, "order.fulfilled", json!({ "tracking_number": tracking_number })).await?;
        let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
        let headline = if order.fulfilment == Fulfilment::Shipping { "Shipped" } else { "Picked up" };
        tell_owner(connection, &clinic, &order, headline, details).await?;
        Ok(order)
    })
    .await?;
    view(connection, order).await
}

/// A shipment arrived (its desk).
pub async fn deliver(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: OrderId,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let order = access::resolve_at_desk(connection, principal, clinic, id).await?;
        require_status(&order, OrderStatus::Fulfilled, "only a fulfilled order can be delivered")?;
        if order.fulfilment != Fulfilment::Shipping {
            return Err(kernel::Error::conflict("a pickup is done when it is picked up"));
        }
        diesel::update(commerce_orders::table.find(order.id))
            .set(commerce_orders::delivered_at.eq(now))
            .execute(connection)
            .await?;
        let order = set_status(connection, &order, OrderStatus::Delivered, now).await?;
        record(connection, principal, &order, "order.delivered", json!({})).await?;
        let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
        tell_owner(connection, &clinic, &order, "Delivered", "Your order was delivered.".to_owned()).await?;
        Ok(order)
    })
    .await?;
    view(connection, order).await
}

/// What the owner does next with a paid order.
pub fn next_step(order: &Order, clinic: &Clinic) -> String {
    match order.fulfilment {
        Fulfilment::Pickup => format!("Pick it up at {}.", clinic.name),
        Fulfilment::Shipping => "We will tell you when it ships.".to_owned(),
    }
}

/// Cancels an unpaid order (held locked): its stock goes back, its payment
/// is called off, the owner is told.
pub(crate) async fn cancel(
    connection: &mut AsyncPgConnection,
    order: Order,
    by: Option<&Principal>,
    reason: &str,
    now: DateTime<Utc>,
) -> kernel::Result<Order> {
    if order.status == OrderStatus::Paid {
        return Err(kernel::Error::conflict("a paid order is refunded, not cancelled"));
    }
    require_status(&order, OrderStatus::PendingPayment, "only an unpaid order can be cancelled")?;
    let reserved: Vec<(kernel::ProductId, i32)> = commerce_order_lines::table
        .filter(commerce_order_lines::order_id.eq(order.id))
        .filter(commerce_order_lines::reserved.eq(true))
        .filter(commerce_order_lines::product_id.is_not_null())
        .order(commerce_order_lines::product_id)
        .select((commerce_order_lines::product_id.assume_not_null(), commerce_order_lines::quantity))
        .load(connection)
        .await?;
    for (product, quantity) in reserved {
        stock::give_back(connection, product, quantity, order.id, now).await?;
    }
    diesel::update(commerce_payments::table.filter(commerce_payments::order_id.eq(order.id)))
        .set((commerce_payments::status.eq(PaymentStatus::Cancelled), commerce_payments::updated_at.eq(now)))
        .execute(connection)
        .await?;
    diesel::update(commerce_orders::table.find(order.id))
        .set((commerce_orders::cancelled_at.eq(now), commerce_orders::cancel_reason.eq(reason)))
        .execute(connection)
        .await?;
    let order = set_status(connection, &order, OrderStatus::Cancelled, now).await?;
    let entry = AuditEntry::new(by.map(|principal| principal.user_id), "order.cancelled", "order", order.id)
        .with_changes(json!({ "status": { "from": OrderStatus::PendingPayment, "to": OrderStatus::Cancelled }, "reason": reason }));
    audit::record(connection, entry).await?;
    let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
    if !crate::service::enrollments::order_cancelled(connection, &clinic, &order, now).await? {
        tell_owner(connection, &clinic, &order, "Cancelled", format!("{reason} Nothing is owed.")).await?;
    }
    Ok(order)
}

pub(crate) fn require_status(order: &Order, wanted: OrderStatus, refusal: &str) -> kernel::Result<()> {
    if order.status == wanted {
        return Ok(());
    }
    Err(kernel::Error::Conflict {
        message: format!("{refusal}; this one is {}", order.status.as_str().replace('_', " ")),
        details: json!({ "status": order.status }),
    })
}

pub(crate) async fn set_status(
    connection: &mut AsyncPgConnection,
    order: &Order,
    status: OrderStatus,
    now: DateTime<Utc>,
) -> kernel::Result<Order> {
    let order: Order = diesel::update(commerce_orders::table.find(order.id))
        .set((commerce_orders::status.eq(status), commerce_orders::updated_at.eq(now)))
        .returning(Order::as_returning())
        .get_result(connection)
        .await?;
    if status == OrderStatus::Paid {
        let data = json!({ "order_id": order.id, "number": order.number(), "clinic_id": order.clinic_id,
                           "owner_id": order.owner_id, "currency": order.currency, "total": order.total });
        let event = notifications::webhooks::EventType::OrderPaid;
        notifications::webhooks::emit(connection, order.clinic_id, event, &data, now).await?;
    }
    Ok(order)
}

pub(crate) async fn record(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    order: &Order,
    action: &'static str,
    mut changes: serde_json::Value,
) -> kernel::Result<()> {
    changes["status"] = json!({ "to": order.status });
    let entry = AuditEntry::new(Some(principal.user_id), action, "order", order.id).with_changes(changes);
    audit::record(connection, entry).await
}

pub(crate) async fn payment_of(connection: &mut AsyncPgConnection, order: OrderId) -> kernel::Result<Payment> {
    Ok(commerce_payments::table
        .filter(commerce_payments::order_id.eq(order))
        .select(Payment::as_select())
        .first(connection)
        .await?)
}

/// The order's payment, held locked until the transaction ends (every
/// change of a payment holds it: refunds and provider events queue).
pub(crate) async fn locked_payment_of(connection: &mut AsyncPgConnection, order: OrderId) -> kernel::Result<Payment> {
    Ok(commerce_payments::table
        .filter(commerce_payments::order_id.eq(order))
        .select(Payment::as_select())
        .for_update()
        .first(connection)
        .await?)
}

/// How an order is shown.
pub async fn view(connection: &mut AsyncPgConnection, order: Order) -> kernel::Result<OrderView> {
    let page = Page { items: vec![order], next_cursor: None };
    kernel::single(views(connection, page).await?.items)
}

/// How a page of orders is shown: their lines and payments in two queries.
async fn views(connection: &mut AsyncPgConnection, orders: Page<Order>) -> kernel::Result<Page<OrderView>> {
    let ids: Vec<OrderId> = orders.items.iter().map(|order| order.id).collect();
    let mut lines: Vec<OrderLine> = commerce_order_lines::table
        .filter(commerce_order_lines::order_id.eq_any(&ids))
        .order(commerce_order_lines::id)
        .select(OrderLine::as_select())
        .load(connection)
        .await?;
    let mut payments: Vec<Payment> = commerce_payments::table
        .filter(commerce_payments::order_id.eq_any(&ids))
        .select(Payment::as_select())
        .load(connection)
        .await?;
    let mut views = Vec::with_capacity(orders.items.len());
    for order in orders.items {
        let (mine, others): (Vec<_>, Vec<_>) = lines.into_iter().partition(|line| line.order_id == order.id);
        lines = others;
        let position = payments.iter().position(|payment| payment.order_id == order.id);
        let payment = position
            .map(|at| payments.swap_remove(at))
            .ok_or_else(|| kernel::Error::internal(format!("order {} has no payment", order.id)))?;
        views.push(OrderView {
            number: order.number(),
            id: order.id,
            clinic_id: order.clinic_id,
            owner_id: order.owner_id,
            status: order.status,
            currency: order.currency,
            lines: mine.into_iter().map(line_view).collect(),
            subtotal: order.subtotal,
            tax_total: order.tax_total,
            total: order.total,
            fulfilment: order.fulfilment,
            shipping_address: order.shipping_address,
            tracking_number: order.tracking_number,
            note: order.note,
            pay_by: order.pay_by,
            payment: payment.into(),
            paid_at: order.paid_at,
            fulfilled_at: order.fulfilled_at,
            delivered_at: order.delivered_at,
            cancelled_at: order.cancelled_at,
            cancel_reason: order.cancel_reason,
            created_at: order.created_at,
        });
    }
    Ok(Page { items: views, next_cursor: orders.next_cursor })
}

fn line_view(line: OrderLine) -> OrderLineView {
    OrderLineView {
        product_id: line.product_id,
        sku: line.sku,
        name: line.name,
        pet_id: line.pet_id,
        quantity: line.quantity,
        unit_price: line.unit_price,
        tax_rate: line.tax_rate,
        total: line.net + line.tax,
        net: line.net,
        tax: line.tax,
    }
}
