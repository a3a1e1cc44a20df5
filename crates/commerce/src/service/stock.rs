//! Stock: what can still be sold of each counted product. Staff adjust it
//! with a reason; a checkout takes its lines' units with a conditional
//! update (so two checkouts can never sell the same unit) and a cancelled or
//! expired order gives them back. Every change is a movement row, and
//! falling to the low-stock threshold tells the clinic's admins.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, Page, PageRequest, Principal, ProductId, Role, UserId, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{ProductView, StockAdjustment, StockMovementView, StockReason};
use crate::models::{Product, StockMovement};
use crate::service::catalog::{found, view};
use crate::service::messages;
use db::schema::{commerce_products, commerce_stock_movements};

/// Adds or takes out units of a counted product (the clinic's desk: admins
/// and receptionists). Stock never goes below zero: 409 with what is left.
pub async fn adjust(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ProductId,
    adjustment: &Valid<StockAdjustment>,
    now: DateTime<Utc>,
) -> kernel::Result<ProductView> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_DESK)?;
    if !StockReason::MANUAL.contains(&adjustment.reason) {
        return Err(kernel::Error::invalid_field("reason", "reserved and released are for orders"));
    }
    let product = found(connection, id).await?;
    if product.clinic_id != clinic.id {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    if !product.track_stock {
        return Err(kernel::Error::invalid_field("change", "this product's stock is not counted"));
    }
    let product = db::transaction(connection, async |connection| {
        let change = Change { reason: adjustment.reason, order: None, actor: Some(principal.user_id), now };
        let Some(after) = apply(connection, id, adjustment.change, &change, adjustment.note.as_deref()).await? else {
            let left = found(connection, id).await?.stock_quantity;
            return Err(kernel::Error::Conflict {
                message: format!("only {left} in stock: stock cannot go below zero"),
                details: json!({ "in_stock": left }),
            });
        };
        let entry = AuditEntry::new(Some(principal.user_id), "product.stock_adjusted", "product", id).with_changes(
            json!({ "stock": { "from": after.stock_quantity - adjustment.change, "to": after.stock_quantity },
                    "reason": adjustment.reason }),
        );
        audit::record(connection, entry).await?;
        Ok(after)
    })
    .await?;
    Ok(view(product, clinic.currency))
}

/// The product's stock movements, newest first (the clinic's staff).
pub async fn movements(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ProductId,
    page: &PageRequest,
) -> kernel::Result<Page<StockMovementView>> {
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let product = found(connection, id).await?;
    if product.clinic_id != clinic {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    let mut query = commerce_stock_movements::table
        .filter(commerce_stock_movements::product_id.eq(id))
        .order(commerce_stock_movements::id.desc())
        .limit(page.fetch_limit())
        .select(StockMovement::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_stock_movements::id.lt(after));
    }
    let rows = query.load(connection).await?;
    Ok(Page::from_rows(rows, page, |movement| movement.id).map(|movement| StockMovementView {
        id: movement.id,
        change: movement.change,
        quantity_after: movement.quantity_after,
        reason: movement.reason,
        note: movement.note,
        order_id: movement.order_id,
        actor_id: movement.actor_id,
        created_at: movement.created_at,
    }))
}

/// Takes `quantity` units of a counted product for `order`; `None` when
/// fewer are left (nothing changes then). Concurrent takes queue on the
/// product's row and each sees what the one before it left.
pub async fn take(
    connection: &mut AsyncPgConnection,
    product: ProductId,
    quantity: i32,
    order: OrderId,
    now: DateTime<Utc>,
) -> kernel::Result<Option<Product>> {
    let change = Change { reason: StockReason::Reserved, order: Some(order), actor: None, now };
    apply(connection, product, -quantity, &change, None).await
}

/// Gives `quantity` units back to a product from `order` (cancelled or expired).
pub async fn give_back(
    connection: &mut AsyncPgConnection,
    product: ProductId,
    quantity: i32,
    order: OrderId,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let change = Change { reason: StockReason::Released, order: Some(order), actor: None, now };
    apply(connection, product, quantity, &change, None).await.map(drop)
}

/// Puts `quantity` units returned with a refund of `order` back in stock.
pub async fn put_back(
    connection: &mut AsyncPgConnection,
    product: ProductId,
    quantity: i32,
    order: OrderId,
    by: &Principal,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let change = Change { reason: StockReason::Refunded, order: Some(order), actor: Some(by.user_id), now };
    apply(connection, product, quantity, &change, None).await.map(drop)
}

/// Why and by whom stock changes.
struct Change {
    reason: StockReason,
    order: Option<OrderId>,
    actor: Option<UserId>,
    now: DateTime<Utc>,
}

/// Changes the stock by `delta` unless that would take it below zero
/// (`None`), records the movement, and tells the admins when it falls to
/// the threshold.
async fn apply(
    connection: &mut AsyncPgConnection,
    id: ProductId,
    delta: i32,
    change: &Change,
    note: Option<&str>,
) -> kernel::Result<Option<Product>> {
    let after: Option<Product> =
        diesel::update(commerce_products::table.find(id).filter((commerce_products::stock_quantity + delta).ge(0)))
            .set((
                commerce_products::stock_quantity.eq(commerce_products::stock_quantity + delta),
                commerce_products::updated_at.eq(change.now),
            ))
            .returning(Product::as_returning())
            .get_result(connection)
            .await
            .optional()?;
    let Some(after) = after else { return Ok(None) };
    let movement = StockMovement {
        id: uuid::Uuid::now_v7(),
        product_id: id,
        change: delta,
        quantity_after: after.stock_quantity,
        reason: change.reason,
        note: note.map(str::to_owned),
        order_id: change.order,
        actor_id: change.actor,
        created_at: change.now,
    };
    diesel::insert_into(commerce_stock_movements::table).values(&movement).execute(connection).await?;
    let before = after.stock_quantity - delta;
    if after.stock_quantity <= after.low_stock_threshold && before > after.low_stock_threshold {
        messages::low_stock(connection, &after, after.stock_quantity).await?;
    }
    Ok(Some(after))
}
