//! This crate's part of a person's data ([`platform::personal_data`]): their
//! carts and orders.
//!
//! Erasure empties their carts and cancels their unpaid orders (the stock
//! goes back). Orders are sales records the clinic must keep: they stay,
//! without the person (no owner, no shipping address, no note). As staff,
//! they are forgotten as who recorded a payment or moved stock.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;

use crate::api::OrderStatus;
use crate::models::{CartLine, Order};
use crate::service::orders;
use db::schema::{commerce_cart_lines, commerce_orders, commerce_payments, commerce_stock_movements};

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
        Ok(lines + orders)
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
        Ok(serde_json::json!({ "cart_lines": cart, "orders": exported }))
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
        diesel::delete(commerce_cart_lines::table.filter(commerce_cart_lines::owner_id.eq(user)))
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
