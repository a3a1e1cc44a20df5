//! Online payments: the owner starts paying an order through the provider,
//! and the provider's signed events say how it went.
//!
//! - `payment_intent.succeeded`: the payment is received and the order
//!   paid (an order cancelled meanwhile stays cancelled, and its desk sees
//!   the money to pay back);
//! - `payment_intent.payment_failed`: an attempt failed; the owner is told
//!   and may try again until `pay_by` (then the order's job cancels it);
//! - `payment_intent.canceled`: no payment will come; the order is
//!   cancelled and its stock given back.
//!
//! Each event id is applied once (`commerce_payment_events`), and each
//! outcome checks where the payment stands, so events arriving late or out
//! of order leave the state an in-order delivery would: a failed attempt
//! after the payment succeeded changes nothing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{OrderId, Principal};
use serde_json::json;

use crate::access::{self, Viewer};
use crate::api::{OrderStatus, PaymentSession, PaymentStatus, ProviderName};
use crate::models::{Order, Payment};
use crate::payments::Payments;
use crate::payments::stripe::event::{Event, Outcome};
use crate::payments::stripe::from_minor_units;
use crate::service::messages::{money, tell_owner};
use crate::service::orders::{self, require_status, set_status};
use db::schema::{commerce_orders, commerce_payment_events, commerce_payments};

/// Starts (or, asked again, returns) the online payment of the caller's
/// unpaid order: what the client's payment form confirms.
pub async fn start(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    payments: &Payments,
    id: OrderId,
) -> kernel::Result<PaymentSession> {
    let (order, viewer) = access::resolve(connection, principal, id, false).await?;
    if viewer != Viewer::Owner {
        return Err(kernel::Error::NotFound { resource: "order" });
    }
    require_status(&order, OrderStatus::PendingPayment, "only an unpaid order can be paid")?;
    let payment = orders::payment_of(connection, order.id).await?;
    if payment.provider != payments.name() || payment.provider == ProviderName::Offline {
        return Err(kernel::Error::conflict("this order is paid at the clinic"));
    }
    // Outside any transaction: the provider answers a repeated call (the
    // order id is its idempotency key) with the same payment.
    let collection = payments.collect(&order).await?;
    let recorded = diesel::update(
        commerce_payments::table
            .find(payment.id)
            .filter(commerce_payments::reference.is_null().or(commerce_payments::reference.eq(&collection.reference))),
    )
    .set(commerce_payments::reference.eq(&collection.reference))
    .execute(connection)
    .await?;
    if recorded == 0 {
        return Err(kernel::Error::internal(format!("order {} has another payment reference", order.id)));
    }
    Ok(PaymentSession {
        provider: payment.provider,
        reference: collection.reference,
        client_secret: collection.client_secret,
        amount: order.total,
        currency: order.currency,
    })
}

/// Applies a verified Stripe event once; `false` when it was applied before.
pub async fn apply_stripe_event(
    connection: &mut AsyncPgConnection,
    event: &Event,
    now: DateTime<Utc>,
) -> kernel::Result<bool> {
    db::transaction(connection, async |connection| {
        let first = diesel::insert_into(commerce_payment_events::table)
            .values((
                commerce_payment_events::provider.eq(ProviderName::Stripe),
                commerce_payment_events::event_id.eq(&event.id),
                commerce_payment_events::event_type.eq(&event.kind),
                commerce_payment_events::received_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(connection)
            .await?;
        if first == 0 {
            return Ok(false);
        }
        let Some(outcome) = event.outcome() else { return Ok(true) };
        let intent = &event.data.object;
        let order: Option<OrderId> = commerce_payments::table
            .filter(commerce_payments::provider.eq(ProviderName::Stripe))
            .filter(commerce_payments::reference.eq(&intent.id))
            .select(commerce_payments::order_id)
            .first(connection)
            .await
            .optional()?;
        // Not one of ours (another integration on the same account): acknowledged.
        let Some(order) = order else { return Ok(true) };
        let order =
            access::find(connection, order, true).await?.ok_or(kernel::Error::NotFound { resource: "order" })?;
        let payment = orders::locked_payment_of(connection, order.id).await?;
        match outcome {
            Outcome::Succeeded => {
                let received = from_minor_units(intent.amount_received, &intent.currency).min(payment.amount);
                succeeded(connection, order, &payment, received, now).await?;
            }
            Outcome::AttemptFailed => attempt_failed(connection, &order, &payment, now).await?,
            Outcome::Cancelled => {
                if order.status == OrderStatus::PendingPayment && payment.status != PaymentStatus::Succeeded {
                    orders::cancel(connection, order, None, "The payment was cancelled.", now).await?;
                }
            }
        }
        Ok(true)
    })
    .await
}

/// A saved card was charged for `order` (the provider's `reference`): the
/// payment is received and the order paid, as its webhook event would.
pub(crate) async fn charged(
    connection: &mut AsyncPgConnection,
    order: OrderId,
    reference: &str,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let order = access::find(connection, order, true).await?.ok_or(kernel::Error::NotFound { resource: "order" })?;
    let payment = orders::locked_payment_of(connection, order.id).await?;
    diesel::update(commerce_payments::table.find(payment.id))
        .set(commerce_payments::reference.eq(reference))
        .execute(connection)
        .await?;
    let amount = payment.amount;
    succeeded(connection, order, &payment, amount, now).await
}

async fn succeeded(
    connection: &mut AsyncPgConnection,
    order: Order,
    payment: &Payment,
    received: rust_decimal::Decimal,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    if payment.status == PaymentStatus::Succeeded {
        return Ok(());
    }
    diesel::update(commerce_payments::table.find(payment.id))
        .set((
            commerce_payments::status.eq(PaymentStatus::Succeeded),
            commerce_payments::captured.eq(received),
            commerce_payments::updated_at.eq(now),
        ))
        .execute(connection)
        .await?;
    if order.status != OrderStatus::PendingPayment {
        tracing::warn!(order = %order.id, status = order.status.as_str(), "a payment arrived for an order no longer waiting for it; refund it");
        return Ok(());
    }
    diesel::update(commerce_orders::table.find(order.id))
        .set(commerce_orders::paid_at.eq(now))
        .execute(connection)
        .await?;
    let order = set_status(connection, &order, OrderStatus::Paid, now).await?;
    let entry = platform::audit::AuditEntry::new(None, "order.paid", "order", order.id)
        .with_changes(json!({ "status": { "to": order.status }, "provider": payment.provider, "amount": received }));
    platform::audit::record(connection, entry).await?;
    crate::service::invoices::bill_order(connection, &order, now).await?;
    let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
    if crate::service::enrollments::order_paid(connection, &clinic, &order, now).await? {
        return Ok(());
    }
    let details =
        format!("{} received, thank you. {}", money(received, &order.currency), orders::next_step(&order, &clinic));
    tell_owner(connection, &clinic, &order, "Payment received", details).await
}

async fn attempt_failed(
    connection: &mut AsyncPgConnection,
    order: &Order,
    payment: &Payment,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    if payment.status != PaymentStatus::Pending || order.status != OrderStatus::PendingPayment {
        return Ok(());
    }
    diesel::update(commerce_payments::table.find(payment.id))
        .set((commerce_payments::status.eq(PaymentStatus::Failed), commerce_payments::updated_at.eq(now)))
        .execute(connection)
        .await?;
    let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
    let by = order.pay_by.with_timezone(&clinic.zone).format("%a %-d %b %Y, %H:%M");
    let details = format!("The payment did not go through. Try again in the app (another card, say) by {by}.");
    tell_owner(connection, &clinic, order, "Payment failed", details).await
}
