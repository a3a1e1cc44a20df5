//! Autoship: an owner's repeat order of one product for a pet, placed by
//! the daily job every `every_days` as an ordinary order (paid like any
//! other, with the pet's plan discount). A prescription product ships only
//! under a current prescription with a refill left, one refill per order;
//! when an order uses the last refill, or none is left or current, the
//! autoship stops, the owner is told and the clinic's clinicians are asked
//! to renew the prescription. Out of stock, that run is skipped and the
//! owner told. Who sees one: its owner, the selling clinic's staff,
//! platform admins; everyone else gets 404.

use chrono::{DateTime, Days, NaiveDate, Utc};
use clinics::scheduling::Clinic;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Principal, Role, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::api::{AutoshipRequest, AutoshipStatus, AutoshipView};
use crate::models::{Autoship, Product};
use crate::money;
use crate::service::checkout::hold;
use crate::service::messages::{self, tell_member, tell_owner};
use crate::service::placing::{self, NewLine, NewOrder};
use crate::service::{benefits, cart, catalog, orders, refills};
use db::schema::{commerce_autoships, commerce_products};

/// The caller sets up a repeat order (201).
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    request: &Valid<AutoshipRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<AutoshipView> {
    cart::owned_pet(connection, principal, request.pet_id).await?;
    let product = catalog::found(connection, request.product_id).await?;
    if !product.is_active {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    let clinic = clinics::scheduling::bookable_clinic(connection, product.clinic_id).await?;
    let today = now.date_naive();
    let first_on = request.first_on.unwrap_or(today);
    if first_on < today {
        return Err(kernel::Error::invalid_field("first_on", "must be today or later"));
    }
    if let Some(drug) = product.prescription_drug() {
        let refill = db::transaction(connection, async |connection| {
            refills::next(connection, request.pet_id, clinic.id, drug, first_on).await
        })
        .await?;
        if refill.is_none() {
            return Err(refills::missing("product_id", &product.name, drug));
        }
    }
    let autoship = Autoship {
        id: uuid::Uuid::now_v7(),
        owner_id: principal.user_id,
        clinic_id: clinic.id,
        pet_id: request.pet_id,
        product_id: product.id,
        quantity: request.quantity,
        every_days: request.every_days,
        next_on: first_on,
        fulfilment: request.fulfilment,
        shipping_address: request.shipping_address.as_ref().map(|address| json!(address)),
        status: AutoshipStatus::Active,
        stop_reason: None,
        shipments: 0,
        last_order_id: None,
        created_at: now,
    };
    db::transaction(connection, async |connection| {
        diesel::insert_into(commerce_autoships::table).values(&autoship).execute(connection).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "autoship.created", "autoship", autoship.id)
            .with_changes(json!({ "product_id": product.id, "every_days": autoship.every_days }));
        audit::record(connection, entry).await
    })
    .await?;
    Ok(view(autoship, &product))
}

/// The caller's repeat orders, newest first.
pub async fn mine(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<Vec<AutoshipView>> {
    let rows: Vec<(Autoship, Product)> = commerce_autoships::table
        .inner_join(commerce_products::table)
        .filter(commerce_autoships::owner_id.eq(principal.user_id))
        .order(commerce_autoships::id.desc())
        .limit(200)
        .select((Autoship::as_select(), Product::as_select()))
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|(autoship, product)| view(autoship, &product)).collect())
}

/// One repeat order: its owner, the selling clinic's staff, platform admins.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
) -> kernel::Result<AutoshipView> {
    let (autoship, product) = visible(connection, principal, id).await?;
    Ok(view(autoship, &product))
}

/// Its owner stops a repeat order; stopped already, nothing changes.
pub async fn stop(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<AutoshipView> {
    let (autoship, _) = visible(connection, principal, id).await?;
    if autoship.owner_id != principal.user_id {
        return Err(kernel::Error::Forbidden("only its owner stops a repeat order".to_owned()));
    }
    if autoship.status == AutoshipStatus::Active {
        db::transaction(connection, async |connection| {
            set_stopped(connection, &autoship, "stopped by the owner", now).await?;
            let entry = AuditEntry::new(Some(principal.user_id), "autoship.stopped", "autoship", id);
            audit::record(connection, entry).await
        })
        .await?;
    }
    get(connection, principal, id).await
}

/// What one daily run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Orders placed.
    pub placed: usize,
    /// Runs skipped (out of stock).
    pub skipped: usize,
    /// Autoships stopped (prescription used up or expired, product withdrawn).
    pub stopped: usize,
}

/// Places the repeat orders due on `now`'s date (see the module).
pub async fn run(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> kernel::Result<Summary> {
    let due: Vec<uuid::Uuid> = commerce_autoships::table
        .filter(commerce_autoships::status.eq(AutoshipStatus::Active))
        .filter(commerce_autoships::next_on.le(now.date_naive()))
        .order(commerce_autoships::id)
        .select(commerce_autoships::id)
        .load(connection)
        .await?;
    let mut summary = Summary::default();
    for id in due {
        match ship(connection, settings, id, now).await? {
            Shipped::Placed { stopped } => {
                summary.placed += 1;
                summary.stopped += usize::from(stopped);
            }
            Shipped::Skipped => summary.skipped += 1,
            Shipped::Stopped => summary.stopped += 1,
            Shipped::NotDue => {}
        }
    }
    Ok(summary)
}

enum Shipped {
    NotDue,
    Placed { stopped: bool },
    Skipped,
    Stopped,
}

async fn ship(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<Shipped> {
    db::transaction(connection, async |connection| {
        let autoship: Autoship =
            commerce_autoships::table.find(id).select(Autoship::as_select()).for_update().first(connection).await?;
        let today = now.date_naive();
        if autoship.status != AutoshipStatus::Active || autoship.next_on > today {
            return Ok(Shipped::NotDue);
        }
        let product = catalog::found(connection, autoship.product_id).await?;
        let clinic = clinics::scheduling::clinic(connection, autoship.clinic_id).await?;
        if !product.is_active || !clinic.is_active {
            stop_with_notice(connection, &clinic, &autoship, &product, "the product is no longer sold", now).await?;
            return Ok(Shipped::Stopped);
        }
        let refill = match product.prescription_drug() {
            Some(drug) => {
                let local = clinics::schedule::local_date(clinic.zone, now);
                let Some(refill) = refills::next(connection, autoship.pet_id, clinic.id, drug, local).await? else {
                    let why = "no current prescription with a refill left";
                    stop_with_notice(connection, &clinic, &autoship, &product, why, now).await?;
                    messages::renewal_request(connection, &clinic, autoship.pet_id, drug, &format!("{why}.")).await?;
                    return Ok(Shipped::Stopped);
                };
                Some(refill)
            }
            None => None,
        };
        let discount = benefits::discount(connection, autoship.pet_id, clinic.id).await?;
        let line = NewLine {
            product_id: Some(product.id),
            track_stock: product.track_stock,
            pet_id: Some(autoship.pet_id),
            prescription_id: refill.map(|refill| refill.prescription_id),
            sku: product.sku.clone(),
            name: product.name.clone(),
            quantity: autoship.quantity,
            unit_price: money::discounted(product.price, discount),
            tax_class: product.tax_class,
        };
        let new_order = NewOrder {
            owner: autoship.owner_id,
            lines: vec![line],
            fulfilment: autoship.fulfilment,
            shipping_address: autoship.shipping_address.clone(),
            note: Some("Repeat order (autoship)".to_owned()),
            pay_by: now + hold(settings),
        };
        let next_on = next_day(&autoship, today);
        let placed = db::transaction(connection, async |connection| {
            placing::place(connection, settings, &clinic, new_order, now).await
        })
        .await;
        let order = match placed {
            Ok(order) => order,
            Err(kernel::Error::Conflict { .. }) => {
                diesel::update(commerce_autoships::table.find(id))
                    .set((commerce_autoships::next_on.eq(next_on), commerce_autoships::updated_at.eq(now)))
                    .execute(connection)
                    .await?;
                let details =
                    format!("{} is out of stock, so this order was skipped; the next is on {next_on}.", product.name);
                tell_member(
                    connection,
                    &clinic,
                    Some(autoship.owner_id),
                    autoship.pet_id,
                    &name(&product),
                    "Skipped",
                    details,
                )
                .await?;
                return Ok(Shipped::Skipped);
            }
            Err(other) => return Err(other),
        };
        diesel::update(commerce_autoships::table.find(id))
            .set((
                commerce_autoships::next_on.eq(next_on),
                commerce_autoships::shipments.eq(autoship.shipments + 1),
                commerce_autoships::last_order_id.eq(order.id),
                commerce_autoships::updated_at.eq(now),
            ))
            .execute(connection)
            .await?;
        let details = format!(
            "Your repeat order of {} is placed, {}. {}",
            product.name,
            messages::money(order.total, &order.currency),
            orders::next_step(&order, &clinic)
        );
        tell_owner(connection, &clinic, &order, "Repeat order placed", details).await?;
        let last_refill = refill.is_some_and(|refill| refill.left_after == 0);
        if last_refill && let Some(drug) = product.prescription_drug() {
            let why = "this order used the prescription's last refill";
            stop_with_notice(connection, &clinic, &autoship, &product, why, now).await?;
            messages::renewal_request(connection, &clinic, autoship.pet_id, drug, &format!("{why}.")).await?;
        }
        Ok(Shipped::Placed { stopped: last_refill })
    })
    .await
}

/// The day after `today` on the autoship's rhythm.
fn next_day(autoship: &Autoship, today: NaiveDate) -> NaiveDate {
    let every = Days::new(u64::try_from(autoship.every_days).unwrap_or(30));
    let next = autoship.next_on + every;
    if next > today { next } else { today + every }
}

async fn stop_with_notice(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    autoship: &Autoship,
    product: &Product,
    why: &str,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    set_stopped(connection, autoship, why, now).await?;
    let entry =
        AuditEntry::new(None, "autoship.stopped", "autoship", autoship.id).with_changes(json!({ "reason": why }));
    audit::record(connection, entry).await?;
    let details =
        format!("No more repeat orders of {}: {why}. Ask the clinic to renew it, then set it up again.", product.name);
    tell_member(connection, clinic, Some(autoship.owner_id), autoship.pet_id, &name(product), "Stopped", details).await
}

async fn set_stopped(
    connection: &mut AsyncPgConnection,
    autoship: &Autoship,
    why: &str,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    diesel::update(commerce_autoships::table.find(autoship.id))
        .set((
            commerce_autoships::status.eq(AutoshipStatus::Stopped),
            commerce_autoships::stop_reason.eq(why),
            commerce_autoships::updated_at.eq(now),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

fn name(product: &Product) -> String {
    format!("repeat order of {}", product.name)
}

async fn visible(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
) -> kernel::Result<(Autoship, Product)> {
    let found: Option<(Autoship, Product)> = commerce_autoships::table
        .inner_join(commerce_products::table)
        .filter(commerce_autoships::id.eq(id))
        .select((Autoship::as_select(), Product::as_select()))
        .first(connection)
        .await
        .optional()?;
    let sees = |autoship: &Autoship| {
        autoship.owner_id == principal.user_id
            || principal.require_staff(autoship.clinic_id, Role::CLINIC_STAFF).is_ok()
    };
    found.filter(|(autoship, _)| sees(autoship)).ok_or(kernel::Error::NotFound { resource: "autoship" })
}

fn view(autoship: Autoship, product: &Product) -> AutoshipView {
    AutoshipView {
        id: autoship.id,
        owner_id: autoship.owner_id,
        clinic_id: autoship.clinic_id,
        pet_id: autoship.pet_id,
        product_id: autoship.product_id,
        product_name: product.name.clone(),
        quantity: autoship.quantity,
        every_days: autoship.every_days,
        next_on: autoship.next_on,
        fulfilment: autoship.fulfilment,
        status: autoship.status,
        stop_reason: autoship.stop_reason,
        shipments: autoship.shipments,
        last_order_id: autoship.last_order_id,
    }
}
