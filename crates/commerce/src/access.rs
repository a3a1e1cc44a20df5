//! Who may see an order, and as what: the owner who placed it, the selling
//! clinic's staff, platform admins. Everyone else gets `NotFound`, exactly as
//! for an order that does not exist.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, Principal, Role};

use crate::models::Order;
use db::schema::commerce_orders;

/// The caller's part in an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Who placed it.
    Owner,
    /// Staff of the selling clinic, in their role there.
    Clinic(Role),
    /// A platform admin.
    Admin,
}

impl Viewer {
    /// Whether the caller acts for the clinic at its desk (payments,
    /// fulfilment, cancellation): its admins and receptionists, platform admins.
    pub fn is_desk(self) -> bool {
        match self {
            Self::Clinic(role) => Role::CLINIC_DESK.contains(&role),
            Self::Admin => true,
            Self::Owner => false,
        }
    }
}

/// The order and the caller's part in it, or `NotFound`; `lock` takes the
/// order's row lock first (every change of an order holds it).
pub async fn resolve(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: OrderId,
    lock: bool,
) -> kernel::Result<(Order, Viewer)> {
    let order = find(connection, id, lock).await?.ok_or(kernel::Error::NotFound { resource: "order" })?;
    let viewer = if let Some(role) = principal.clinic_role(order.clinic_id) {
        Viewer::Clinic(role)
    } else if order.owner_id == Some(principal.user_id) {
        Viewer::Owner
    } else if principal.is(Role::PlatformAdmin) {
        Viewer::Admin
    } else {
        return Err(kernel::Error::NotFound { resource: "order" });
    };
    Ok((order, viewer))
}

/// [`resolve`] for the clinic's own paths (`/clinics/{id}/orders/{order_id}`):
/// an order of another clinic is `NotFound`, and only its desk passes.
pub async fn resolve_at_desk(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: OrderId,
) -> kernel::Result<Order> {
    principal.require_staff(clinic, Role::CLINIC_DESK)?;
    let (order, viewer) = resolve(connection, principal, id, true).await?;
    if order.clinic_id != clinic || !viewer.is_desk() {
        return Err(kernel::Error::NotFound { resource: "order" });
    }
    Ok(order)
}

/// The order `id`, with its row lock when `lock`.
pub async fn find(connection: &mut AsyncPgConnection, id: OrderId, lock: bool) -> kernel::Result<Option<Order>> {
    let query = commerce_orders::table.find(id).select(Order::as_select());
    Ok(if lock { query.for_update().first(connection).await } else { query.first(connection).await }.optional()?)
}
