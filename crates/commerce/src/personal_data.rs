//! This crate's part of a person's data ([`platform::personal_data`]): their
//! carts, orders, pets' wellness plans and repeat orders.
//!
//! Erasure empties their carts, deletes their repeat orders, ends their pets'
//! plans (forgetting who enrolled and the saved card) and cancels their unpaid
//! orders (the stock goes back). Orders are sales records the clinic must keep: they stay,
//! without the person (no owner, no shipping address, no note). As staff,
//! they are forgotten as who recorded a payment or moved stock.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;

use crate::api::{EnrollmentStatus, OrderStatus};
use crate::models::{Autoship, CartLine, Enrollment, Order};
use crate::service::orders;
use db::schema::{
    commerce_autoships, commerce_cart_lines, commerce_orders, commerce_payments, commerce_plan_enrollments,
    commerce_stock_movements,
};

/// The `"commerce"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "commerce"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let lines: i64 = commerce_cart_lines::table
            .filter(commerce_cart_lines::owner_id.eq(user))
            .count()
            .get_result(connection)
            .await?;
        let orders: i64 =
            commerce_orders::table.filter(commerce_orders::owner_id.eq(user)).count().get_result(connection).await?;
        let plans: i64 = commerce_plan_enrollments::table
            .filter(commerce_plan_enrollments::owner_id.eq(user))
            .count()
            .get_result(connection)
            .await?;
        let autoships: i64 = commerce_autoships::table
            .filter(commerce_autoships::owner_id.eq(user))
            .count()
            .get_result(connection)
            .await?;
        Ok(lines + orders + plans + autoships)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let cart: Vec<CartLine> = commerce_cart_lines::table
            .filter(commerce_cart_lines::owner_id.eq(user))
            .order(commerce_cart_lines::added_at)
            .select(CartLine::as_select())
            .load(connection)
            .await?;
        let cart: Vec<_> = cart
            .into_iter()
            .map(|line| {
                serde_json::json!({
                    "clinic_id": line.clinic_id, "product_id": line.product_id, "pet_id": line.pet_id,
                    "quantity": line.quantity, "unit_price": line.unit_price, "added_at": line.added_at,
                })
            })
            .collect();
        let placed: Vec<Order> = commerce_orders::table
            .filter(commerce_orders::owner_id.eq(user))
            .order(commerce_orders::id)
            .select(Order::as_select())
            .load(connection)
            .await?;
        let mut exported = Vec::with_capacity(placed.len());
        for order in placed {
            exported.push(orders::view(connection, order).await?);
        }
        let plans: Vec<Enrollment> = commerce_plan_enrollments::table
            .filter(commerce_plan_enrollments::owner_id.eq(user))
            .order(commerce_plan_enrollments::id)
            .select(Enrollment::as_select())
            .load(connection)
            .await?;
        let plans: Vec<_> = plans
            .into_iter()
            .map(|plan| {
                serde_json::json!({
                    "plan_id": plan.plan_id, "pet_id": plan.pet_id, "status": plan.status,
                    "started_on": plan.started_on, "period_index": plan.period_index, "period_end": plan.period_end,
                    "card_saved": plan.card().is_some(), "ended_on": plan.ended_on, "end_reason": plan.end_reason,
                })
            })
            .collect();
        let autoships: Vec<Autoship> = commerce_autoships::table
            .filter(commerce_autoships::owner_id.eq(user))
            .order(commerce_autoships::id)
            .select(Autoship::as_select())
            .load(connection)
            .await?;
        let autoships: Vec<_> = autoships
            .into_iter()
            .map(|autoship| {
                serde_json::json!({
                    "product_id": autoship.product_id, "pet_id": autoship.pet_id, "quantity": autoship.quantity,
                    "every_days": autoship.every_days, "next_on": autoship.next_on, "status": autoship.status,
                    "shipping_address": autoship.shipping_address, "created_at": autoship.created_at,
                })
            })
            .collect();
        Ok(serde_json::json!({ "cart_lines": cart, "orders": exported, "plans": plans, "autoships": autoships }))
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
        diesel::delete(commerce_cart_lines::table.filter(commerce_cart_lines::owner_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::delete(commerce_autoships::table.filter(commerce_autoships::owner_id.eq(user)))
            .execute(connection)
            .await?;
        let mine = commerce_plan_enrollments::owner_id.eq(user);
        diesel::update(
            commerce_plan_enrollments::table
                .filter(mine)
                .filter(commerce_plan_enrollments::status.ne(EnrollmentStatus::Ended)),
        )
        .set((
            commerce_plan_enrollments::status.eq(EnrollmentStatus::Ended),
            commerce_plan_enrollments::ended_on.eq(now.date_naive()),
            commerce_plan_enrollments::end_reason.eq("the account was closed"),
            commerce_plan_enrollments::next_retry_on.eq(None::<chrono::NaiveDate>),
        ))
        .execute(connection)
        .await?;
        diesel::update(commerce_plan_enrollments::table.filter(mine))
            .set((
                commerce_plan_enrollments::owner_id.eq(None::<UserId>),
                commerce_plan_enrollments::card_customer.eq(None::<String>),
                commerce_plan_enrollments::card_payment_method.eq(None::<String>),
            ))
            .execute(connection)
            .await?;
        let unpaid: Vec<Order> = commerce_orders::table
            .filter(commerce_orders::owner_id.eq(user))
            .filter(commerce_orders::status.eq(OrderStatus::PendingPayment))
            .order(commerce_orders::id)
            .for_update()
            .select(Order::as_select())
            .load(connection)
            .await?;
        for order in unpaid {
            orders::cancel(connection, order, None, "The account was closed.", now).await?;
        }
        diesel::update(commerce_orders::table.filter(commerce_orders::owner_id.eq(user)))
            .set((
                commerce_orders::owner_id.eq(None::<UserId>),
                commerce_orders::shipping_address.eq(None::<serde_json::Value>),
                commerce_orders::note.eq(None::<String>),
            ))
            .execute(connection)
            .await?;
        diesel::update(commerce_payments::table.filter(commerce_payments::recorded_by.eq(user)))
            .set(commerce_payments::recorded_by.eq(None::<UserId>))
            .execute(connection)
            .await?;
        diesel::update(commerce_stock_movements::table.filter(commerce_stock_movements::actor_id.eq(user)))
            .set(commerce_stock_movements::actor_id.eq(None::<UserId>))
            .execute(connection)
            .await?;
        Ok(())
    }
}
