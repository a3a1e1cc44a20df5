//! Refunds: full or partial, through the payment's provider, never above
//! what was received.
//!
//! One transaction holds the order's and the payment's row locks across the
//! provider's call, so concurrent refunds of one payment queue, and each
//! sees what the ones before it paid back: two refunds that together exceed
//! what is left cannot both pass. The provider's idempotency key comes from
//! the payment and the request's `Idempotency-Key`, so a retry after a lost
//! answer gets the first refund, never a second. Returned goods go back in
//! stock (never more than their line took); everything is audited and the
//! owner told.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, Principal, Valid};
use serde_json::json;

use crate::access;
use crate::api::{OrderStatus, OrderView, ProviderName, RefundRequest};
use crate::models::{OrderLine, Payment, Refund};
use crate::payments::{Payments, Provider, offline::Offline};
use crate::service::messages::{money, tell_owner};
use crate::service::orders::{self, set_status};
use crate::service::stock;
use db::schema::{commerce_order_lines, commerce_payments, commerce_refunds};

/// Pays `request.amount` of a paid order back (the clinic's desk); `key` is
/// the request's `Idempotency-Key`.
pub async fn refund(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    payments: &Payments,
    (clinic, id): (ClinicId, OrderId),
    request: &Valid<RefundRequest>,
    key: &str,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let order = db::transaction(connection, async |connection| {
        let order = access::resolve_at_desk(connection, principal, clinic, id).await?;
        if !OrderStatus::PAID.contains(&order.status) {
            return Err(kernel::Error::Conflict {
                message: format!(
                    "only a paid order can be refunded; this one is {}",
                    order.status.as_str().replace('_', " ")
                ),
                details: json!({ "status": order.status }),
            });
        }
        let payment = orders::locked_payment_of(connection, order.id).await?;
        let refundable = payment.captured - payment.refunded;
        if request.amount > refundable {
            return Err(kernel::Error::Conflict {
                message: format!("at most {} can be refunded", money(refundable, &payment.currency)),
                details: json!({ "refundable": refundable }),
            });
        }
        let lines = restock_lines(connection, order.id, request).await?;
        let provider: &dyn Provider = match payment.provider {
            ProviderName::Offline => &Offline,
            configured if configured == payments.name() => &**payments,
            _ => return Err(kernel::Error::Unavailable { dependency: "payment provider" }),
        };
        let reference = provider.refund(&payment, request.amount, &provider_key(&payment, principal, key)).await?;
        let refund = Refund {
            id: uuid::Uuid::now_v7(),
            payment_id: payment.id,
            amount: request.amount,
            reason: request.reason.clone(),
            reference,
            restocked: json!(request.restock),
            requested_by: Some(principal.user_id),
            created_at: now,
        };
        diesel::insert_into(commerce_refunds::table).values(&refund).execute(connection).await?;
        let refunded = payment.refunded + request.amount;
        diesel::update(commerce_payments::table.find(payment.id))
            .set((commerce_payments::refunded.eq(refunded), commerce_payments::updated_at.eq(now)))
            .execute(connection)
            .await?;
        for (line, quantity) in lines {
            diesel::update(commerce_order_lines::table.find(line.id))
                .set(commerce_order_lines::returned.eq(line.returned + quantity))
                .execute(connection)
                .await?;
            if let Some(product) = line.product_id {
                stock::put_back(connection, product, quantity, order.id, principal, now).await?;
            }
        }
        let order = if refunded == payment.captured {
            set_status(connection, &order, OrderStatus::Refunded, now).await?
        } else {
            order
        };
        let changes = json!({ "amount": request.amount, "refunded": refunded, "restocked": request.restock });
        orders::record(connection, principal, &order, "order.refunded", changes).await?;
        let clinic = clinics::scheduling::clinic(connection, order.clinic_id).await?;
        let how = if payment.provider == ProviderName::Offline { "at the clinic" } else { "to the card you paid with" };
        let details = format!("{} is paid back {how}.", money(request.amount, &payment.currency));
        tell_owner(connection, &clinic, &order, "Refund", details).await?;
        Ok(order)
    })
    .await?;
    orders::view(connection, order).await
}

/// The lines `request` puts units of back in stock, each with its units;
/// 422 for a product the order did not take from stock, or more units than
/// its line has left to return.
async fn restock_lines(
    connection: &mut AsyncPgConnection,
    order: OrderId,
    request: &RefundRequest,
) -> kernel::Result<Vec<(OrderLine, i32)>> {
    if request.restock.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<OrderLine> = commerce_order_lines::table
        .filter(commerce_order_lines::order_id.eq(order))
        .select(OrderLine::as_select())
        .load(connection)
        .await?;
    let mut chosen: Vec<(OrderLine, i32)> = Vec::new();
    for wanted in &request.restock {
        let field = format!("restock.{}", wanted.product_id);
        let line =
            lines.iter().find(|line| line.product_id == Some(wanted.product_id) && line.reserved).ok_or_else(|| {
                kernel::Error::invalid_field(field.clone(), "is not a line of this order taken from stock")
            })?;
        let already = chosen.iter().filter(|(other, _)| other.id == line.id).map(|(_, units)| units).sum::<i32>();
        if wanted.quantity + already > line.quantity - line.returned {
            return Err(kernel::Error::invalid_field(
                field,
                format!("at most {} units of this line can go back in stock", line.quantity - line.returned - already),
            ));
        }
        chosen.push((line.clone(), wanted.quantity));
    }
    Ok(chosen)
}

/// The provider's idempotency key: one refund per payment, caller and
/// request key, within the provider's limit of 255 characters.
fn provider_key(payment: &Payment, principal: &Principal, key: &str) -> String {
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, format!("{}:{key}", principal.user_id).as_bytes());
    format!("refund-{}-{}", payment.id, hex::encode(digest.as_ref()))
}
