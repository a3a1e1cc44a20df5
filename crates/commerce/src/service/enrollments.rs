//! A pet's wellness plan: enrolled by its primary owner, paid period by
//! period through ordinary orders (so each payment has its invoice), with a
//! saved card charged by the provider or, without one, paid at the desk or
//! in the app.
//!
//! - Enrolling places the first period's order (with the enrollment fee);
//!   the plan is `pending` until it is paid, then `active`. A declined card
//!   is 422 and nothing stays running.
//! - Cancelling takes effect at the end of the current period, or of the
//!   plan's minimum term if that is later; a plan never paid, or suspended,
//!   ends at once.
//! - Changing plan (same clinic, species and billing period): a dearer plan
//!   takes over once the difference for the rest of the period is paid,
//!   `(new price − old price) × days left ÷ days in the period`, rounded to
//!   the cent ([`crate::money::prorated`]); a cheaper one takes over at the
//!   next renewal, and nothing is paid back.
//! - A plan is not transferable: when the pet gets a new primary owner, it
//!   ends at the end of the current period ([`super::renewals`]), as its
//!   view says beforehand.
//!
//! Plan days are UTC days. Every change is audited and the owner told. Who sees a plan: the pet's
//! owners, the plan clinic's staff, platform admins; everyone else gets 404.

use chrono::{DateTime, NaiveDate, Utc};
use clinics::scheduling::Clinic;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{OrderId, PetId, Principal, Role, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::api::{ChangePlanRequest, EnrollRequest, EnrollmentStatus, EnrollmentView, OrderStatus, TaxClass};
use crate::models::{Enrollment, Order, Plan, PlanCharge};
use crate::money;
use crate::payments::{Charge, Payments, SavedCard};
use crate::service::checkout::hold;
use crate::service::messages::{self, tell_member};
use crate::service::placing::{self, NewLine, NewOrder};
use crate::service::{benefits, orders, plans};
use db::schema::{commerce_orders, commerce_plan_charges, commerce_plan_enrollments};

kernel::constraint_fields!("commerce_plan_enrollments_running_idx" => "pet_id");

/// The primary owner enrolls the pet in a plan (see the module).
pub async fn enroll(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    payments: &Payments,
    pet: PetId,
    request: &Valid<EnrollRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<EnrollmentView> {
    let (pet_row, access) = pets::access::resolve(connection, principal, pet).await?;
    if !access.is_owner() {
        return Err(kernel::Error::NotFound { resource: "pet" });
    }
    pets::access::require(access.is_primary_owner(), "enroll this pet in a plan")?;
    let plan = plans::found(connection, request.plan_id).await?;
    if !plan.is_active {
        return Err(kernel::Error::NotFound { resource: "plan" });
    }
    if plan.species != pet_row.species {
        return Err(kernel::Error::invalid_field("plan_id", format!("is a plan for {}", plan.species.as_str())));
    }
    let clinic = clinics::scheduling::bookable_clinic(connection, plan.clinic_id).await?;
    let id = uuid::Uuid::now_v7();
    let card = match &request.payment_method {
        Some(method) => Some(payments.save_card(method, &format!("plan-card-{id}")).await?),
        None => None,
    };
    let today = now.date_naive();
    let (enrollment, order) = db::transaction(connection, async |connection| {
        let enrollment = Enrollment {
            id,
            plan_id: plan.id,
            clinic_id: clinic.id,
            pet_id: pet,
            owner_id: Some(principal.user_id),
            status: EnrollmentStatus::Pending,
            started_on: today,
            period_index: 1,
            period_start: today,
            period_end: plan.period_end(today, 1),
            cancel_at_period_end: false,
            next_plan_id: None,
            grace_until: None,
            failed_attempts: 0,
            next_retry_on: None,
            card_customer: card.as_ref().map(|card| card.customer.clone()),
            card_payment_method: card.as_ref().map(|card| card.payment_method.clone()),
            ended_on: None,
            end_reason: None,
        };
        diesel::insert_into(commerce_plan_enrollments::table).values(&enrollment).execute(connection).await?;
        let mut lines = vec![period_line(&plan, &enrollment)];
        if !plan.enrollment_fee.is_zero() {
            lines.push(plan_line("PLAN-FEE", format!("{}: enrollment fee", plan.name), plan.enrollment_fee, pet));
        }
        let charge = Bill { plan: &plan, kind: PlanCharge::PERIOD, lines, pay_by: now + hold(settings) };
        let order = bill(connection, settings, &clinic, &enrollment, charge, now).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "plan.enrolled", "plan_enrollment", id)
            .with_changes(json!({ "plan_id": plan.id, "pet_id": pet, "order_id": order.id }));
        audit::record(connection, entry).await?;
        let details = format!(
            "{} is enrolled in {}. {} is due for the first period; it starts once paid.",
            pet_row.name,
            plan.name,
            messages::money(order.total, &order.currency)
        );
        tell_member(connection, &clinic, enrollment.owner_id, pet, &plan.name, "Enrollment received", details).await?;
        Ok((enrollment, order))
    })
    .await?;
    if let Settled::Declined(reason) = settle(connection, payments, &enrollment, &order, 1, now).await? {
        give_up(connection, order.id, "The card was declined.", now).await?;
        return Err(kernel::Error::invalid_field("payment_method", format!("the card was declined: {reason}")));
    }
    let found = found(connection, id).await?;
    view(connection, found).await
}

/// The pet's plan (not ended): its owners, the plan clinic's staff, platform admins.
pub async fn of_pet(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<EnrollmentView> {
    let (enrollment, _) = resolve(connection, principal, pet).await?;
    view(connection, enrollment).await
}

/// The primary owner cancels the pet's plan (see the module); asked again,
/// nothing more changes.
pub async fn cancel(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    now: DateTime<Utc>,
) -> kernel::Result<EnrollmentView> {
    let (enrollment, primary) = resolve(connection, principal, pet).await?;
    pets::access::require(primary || principal.is(Role::PlatformAdmin), "cancel this pet's plan")?;
    let clinic = clinics::scheduling::clinic(connection, enrollment.clinic_id).await?;
    let today = now.date_naive();
    let id = enrollment.id;
    db::transaction(connection, async |connection| {
        let enrollment = locked(connection, id).await?;
        let plan = plans::found(connection, enrollment.plan_id).await?;
        match enrollment.status {
            EnrollmentStatus::Pending | EnrollmentStatus::Suspended => {
                end(connection, &clinic, &enrollment, &plan, "cancelled", today).await?;
                if let Some(order) = unpaid_order(connection, enrollment.id).await? {
                    let order = crate::access::find(connection, order, true).await?;
                    if let Some(order) = order {
                        orders::cancel(connection, order, Some(principal), "The plan was cancelled.", now).await?;
                    }
                }
            }
            EnrollmentStatus::Active | EnrollmentStatus::PastDue if !enrollment.cancel_at_period_end => {
                diesel::update(commerce_plan_enrollments::table.find(id))
                    .set((
                        commerce_plan_enrollments::cancel_at_period_end.eq(true),
                        commerce_plan_enrollments::next_plan_id.eq(None::<uuid::Uuid>),
                        commerce_plan_enrollments::updated_at.eq(now),
                    ))
                    .execute(connection)
                    .await?;
                let ends_on = ends_on(&enrollment, &plan);
                let entry = AuditEntry::new(Some(principal.user_id), "plan.cancelled", "plan_enrollment", id)
                    .with_changes(json!({ "ends_on": ends_on }));
                audit::record(connection, entry).await?;
                let details = format!("It stays in force until {}, then ends; it will not renew.", last_day(ends_on));
                tell_member(
                    connection,
                    &clinic,
                    enrollment.owner_id,
                    enrollment.pet_id,
                    &plan.name,
                    "Cancelled",
                    details,
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    })
    .await?;
    let found = found(connection, id).await?;
    view(connection, found).await
}

/// The primary owner switches the pet to another plan of the clinic (see the module).
pub async fn change(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    payments: &Payments,
    pet: PetId,
    request: &Valid<ChangePlanRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<EnrollmentView> {
    let (enrollment, primary) = resolve(connection, principal, pet).await?;
    pets::access::require(primary, "change this pet's plan")?;
    let clinic = clinics::scheduling::clinic(connection, enrollment.clinic_id).await?;
    let today = now.date_naive();
    let id = enrollment.id;
    let upgrade = db::transaction(connection, async |connection| {
        let enrollment = locked(connection, id).await?;
        if enrollment.status != EnrollmentStatus::Active || enrollment.cancel_at_period_end {
            return Err(kernel::Error::conflict("only an active plan that is not cancelled can change"));
        }
        let current = plans::found(connection, enrollment.plan_id).await?;
        let wanted = plans::found(connection, request.plan_id).await?;
        if wanted.clinic_id != current.clinic_id || !wanted.is_active {
            return Err(kernel::Error::NotFound { resource: "plan" });
        }
        if wanted.id == current.id
            || wanted.species != current.species
            || wanted.billing_period != current.billing_period
        {
            return Err(kernel::Error::invalid_field(
                "plan_id",
                "must be another plan of the clinic for the same species and billing period",
            ));
        }
        if unpaid_order(connection, id).await?.is_some() {
            return Err(kernel::Error::conflict("the plan has an unpaid order: pay it first"));
        }
        let days_left = (enrollment.period_end - today).num_days();
        let days = (enrollment.period_end - enrollment.period_start).num_days();
        let difference = money::prorated(wanted.price - current.price, days_left, days);
        if wanted.price <= current.price || difference.is_zero() {
            let (headline, details) = if wanted.price <= current.price {
                diesel::update(commerce_plan_enrollments::table.find(id))
                    .set(commerce_plan_enrollments::next_plan_id.eq(wanted.id))
                    .execute(connection)
                    .await?;
                (
                    "Plan change",
                    format!("{} takes over on {}, at the next renewal.", wanted.name, enrollment.period_end),
                )
            } else {
                switch(connection, id, wanted.id, now).await?;
                ("Upgraded", format!("{} applies from today.", wanted.name))
            };
            let entry = AuditEntry::new(Some(principal.user_id), "plan.changed", "plan_enrollment", id)
                .with_changes(json!({ "plan_id": platform::audit::change(current.id, wanted.id) }));
            audit::record(connection, entry).await?;
            tell_member(connection, &clinic, enrollment.owner_id, enrollment.pet_id, &current.name, headline, details)
                .await?;
            return Ok(None);
        }
        let name = format!("Upgrade to {} for {days_left} of {days} days", wanted.name);
        let lines = vec![plan_line("PLAN-UPGRADE", name, difference, enrollment.pet_id)];
        let charge = Bill { plan: &wanted, kind: PlanCharge::UPGRADE, lines, pay_by: now + hold(settings) };
        let order = bill(connection, settings, &clinic, &enrollment, charge, now).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "plan.upgrade_requested", "plan_enrollment", id)
            .with_changes(json!({ "plan_id": platform::audit::change(current.id, wanted.id), "order_id": order.id }));
        audit::record(connection, entry).await?;
        let details =
            format!("{} takes over once {} is paid.", wanted.name, messages::money(order.total, &order.currency));
        tell_member(connection, &clinic, enrollment.owner_id, enrollment.pet_id, &current.name, "Upgrade", details)
            .await?;
        Ok(Some((enrollment, order)))
    })
    .await?;
    if let Some((enrollment, order)) = upgrade
        && let Settled::Declined(reason) = settle(connection, payments, &enrollment, &order, 1, now).await?
    {
        give_up(connection, order.id, "The card was declined.", now).await?;
        return Err(kernel::Error::conflict(format!("the card was declined: {reason}")));
    }
    let found = found(connection, id).await?;
    view(connection, found).await
}

/// What a plan's order leads to once it is paid (in the paying
/// transaction): the plan starts, renews, recovers or upgrades, and the
/// owner is told. `false` for an order that pays no plan.
pub(crate) async fn order_paid(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    order: &Order,
    now: DateTime<Utc>,
) -> kernel::Result<bool> {
    let Some(charge) = charge_of(connection, order.id).await? else { return Ok(false) };
    let enrollment = locked(connection, charge.enrollment_id).await?;
    let plan = plans::found(connection, charge.plan_id).await?;
    let paid = messages::money(order.total, &order.currency);
    let same_period = charge.period_index == enrollment.period_index;
    let (headline, details, action) = match (charge.kind.as_str(), enrollment.status) {
        (PlanCharge::UPGRADE, EnrollmentStatus::Active | EnrollmentStatus::PastDue) => {
            switch(connection, enrollment.id, plan.id, now).await?;
            ("Upgraded", format!("{paid} received: {} applies from today.", plan.name), "plan.upgraded")
        }
        (PlanCharge::PERIOD, EnrollmentStatus::Pending | EnrollmentStatus::Active | EnrollmentStatus::PastDue)
            if same_period =>
        {
            diesel::update(commerce_plan_enrollments::table.find(enrollment.id))
                .set((
                    commerce_plan_enrollments::status.eq(EnrollmentStatus::Active),
                    commerce_plan_enrollments::grace_until.eq(None::<NaiveDate>),
                    commerce_plan_enrollments::next_retry_on.eq(None::<NaiveDate>),
                    commerce_plan_enrollments::failed_attempts.eq(0),
                    commerce_plan_enrollments::updated_at.eq(now),
                ))
                .execute(connection)
                .await?;
            let covered = format!(
                "covered until {}; the next renewal is on {}",
                last_day(enrollment.period_end),
                enrollment.period_end
            );
            if enrollment.status == EnrollmentStatus::Pending {
                ("Active", format!("{paid} received: the plan is active, {covered}."), "plan.activated")
            } else {
                (
                    "Renewed",
                    format!("{paid} received for period {}: {covered}.", enrollment.period_index),
                    "plan.renewed",
                )
            }
        }
        _ => {
            tracing::warn!(order = %order.id, "a plan's order was paid after the plan stopped waiting for it; refund it");
            ("Payment received", format!("{paid} received; the clinic will refund it."), "plan.late_payment")
        }
    };
    let entry = AuditEntry::new(None, action, "plan_enrollment", enrollment.id)
        .with_changes(json!({ "order_id": order.id, "period_index": charge.period_index }));
    audit::record(connection, entry).await?;
    tell_member(connection, clinic, enrollment.owner_id, enrollment.pet_id, &plan.name, headline, details).await?;
    Ok(true)
}

/// What a plan's order leads to once it is cancelled unpaid (in the
/// cancelling transaction): a first period ends the plan, a renewal past
/// its grace period suspends it, an upgrade is dropped. `false` for an order
/// that pays no plan.
pub(crate) async fn order_cancelled(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    order: &Order,
    now: DateTime<Utc>,
) -> kernel::Result<bool> {
    let Some(charge) = charge_of(connection, order.id).await? else { return Ok(false) };
    let enrollment = locked(connection, charge.enrollment_id).await?;
    let plan = plans::found(connection, enrollment.plan_id).await?;
    let today = now.date_naive();
    let same_period = charge.period_index == enrollment.period_index;
    match (charge.kind.as_str(), enrollment.status) {
        (PlanCharge::PERIOD, EnrollmentStatus::Pending) => {
            end(connection, clinic, &enrollment, &plan, "not paid", today).await?
        }
        (PlanCharge::PERIOD, EnrollmentStatus::Active | EnrollmentStatus::PastDue) if same_period => {
            diesel::update(commerce_plan_enrollments::table.find(enrollment.id))
                .set((
                    commerce_plan_enrollments::status.eq(EnrollmentStatus::Suspended),
                    commerce_plan_enrollments::next_retry_on.eq(None::<NaiveDate>),
                    commerce_plan_enrollments::updated_at.eq(now),
                ))
                .execute(connection)
                .await?;
            let entry = AuditEntry::new(None, "plan.suspended", "plan_enrollment", enrollment.id)
                .with_changes(json!({ "order_id": order.id, "period_index": charge.period_index }));
            audit::record(connection, entry).await?;
            let details = "The renewal was not paid within the grace period, so the plan's benefits stop. \
                           Cancel it to enroll again."
                .to_owned();
            tell_member(connection, clinic, enrollment.owner_id, enrollment.pet_id, &plan.name, "Suspended", details)
                .await?;
        }
        (PlanCharge::UPGRADE, _) => {
            let details = format!("The upgrade was not paid; {} stays as it was.", plan.name);
            tell_member(
                connection,
                clinic,
                enrollment.owner_id,
                enrollment.pet_id,
                &plan.name,
                "Upgrade dropped",
                details,
            )
            .await?;
        }
        _ => {}
    }
    Ok(true)
}

/// How a plan's order was settled right after it was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settled {
    /// The saved card paid it.
    Paid,
    /// The saved card was refused.
    Declined(String),
    /// No card is saved: it waits for the desk or the app.
    Waiting,
}

/// Charges the enrollment's saved card for `order` (attempt `attempt`: each
/// has its own idempotency key), outside any transaction; a success pays
/// the order (and so moves the plan on: [`order_paid`]).
pub(crate) async fn settle(
    connection: &mut AsyncPgConnection,
    payments: &Payments,
    enrollment: &Enrollment,
    order: &Order,
    attempt: i32,
    now: DateTime<Utc>,
) -> kernel::Result<Settled> {
    let Some((customer, method)) = enrollment.card() else { return Ok(Settled::Waiting) };
    let card = SavedCard { customer: customer.to_owned(), payment_method: method.to_owned() };
    let key = format!("plan-order-{}-{attempt}", order.id);
    match payments.charge_saved(order, &card, &key).await {
        Ok(Charge::Succeeded { reference }) => {
            db::transaction(connection, async |connection| {
                crate::service::payments::charged(connection, order.id, &reference, now).await
            })
            .await?;
            Ok(Settled::Paid)
        }
        Ok(Charge::Declined { reason }) => Ok(Settled::Declined(reason)),
        Err(kernel::Error::Unavailable { .. }) => {
            Ok(Settled::Declined("the payment provider did not answer".to_owned()))
        }
        Err(other) => Err(other),
    }
}

/// What one charge places.
pub(crate) struct Bill<'a> {
    /// The plan it pays for.
    pub plan: &'a Plan,
    /// [`PlanCharge::PERIOD`] or [`PlanCharge::UPGRADE`].
    pub kind: &'static str,
    /// Its lines.
    pub lines: Vec<NewLine>,
    /// Unpaid by then, it is cancelled.
    pub pay_by: DateTime<Utc>,
}

/// Places the order of a charge for the enrollment's current period, in the
/// caller's transaction.
pub(crate) async fn bill(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    clinic: &Clinic,
    enrollment: &Enrollment,
    bill: Bill<'_>,
    now: DateTime<Utc>,
) -> kernel::Result<Order> {
    let Some(owner) = enrollment.owner_id else {
        return Err(kernel::Error::conflict("the plan's owner has no account any more"));
    };
    let new_order = NewOrder {
        owner,
        lines: bill.lines,
        fulfilment: crate::api::Fulfilment::Pickup,
        shipping_address: None,
        note: Some(format!("Wellness plan: {}", bill.plan.name)),
        pay_by: bill.pay_by,
    };
    let order = placing::place(connection, settings, clinic, new_order, now).await?;
    let charge = PlanCharge {
        order_id: order.id,
        enrollment_id: enrollment.id,
        plan_id: bill.plan.id,
        period_index: enrollment.period_index,
        kind: bill.kind.to_owned(),
    };
    diesel::insert_into(commerce_plan_charges::table).values(&charge).execute(connection).await?;
    Ok(order)
}

/// The order line paying the enrollment's current period of `plan`.
pub(crate) fn period_line(plan: &Plan, enrollment: &Enrollment) -> NewLine {
    let name = format!("{}: {} to {}", plan.name, enrollment.period_start, last_day(enrollment.period_end));
    plan_line("PLAN", name, plan.price, enrollment.pet_id)
}

fn plan_line(sku: &str, name: String, price: rust_decimal::Decimal, pet: PetId) -> NewLine {
    NewLine {
        product_id: None,
        track_stock: false,
        pet_id: Some(pet),
        prescription_id: None,
        sku: sku.to_owned(),
        name,
        quantity: 1,
        unit_price: price,
        tax_class: TaxClass::Standard,
    }
}

/// Ends the plan today, audited, the owner told.
pub(crate) async fn end(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    enrollment: &Enrollment,
    plan: &Plan,
    reason: &str,
    today: NaiveDate,
) -> kernel::Result<()> {
    diesel::update(commerce_plan_enrollments::table.find(enrollment.id))
        .set((
            commerce_plan_enrollments::status.eq(EnrollmentStatus::Ended),
            commerce_plan_enrollments::ended_on.eq(today),
            commerce_plan_enrollments::end_reason.eq(reason),
            commerce_plan_enrollments::next_retry_on.eq(None::<NaiveDate>),
            commerce_plan_enrollments::updated_at.eq(diesel::dsl::now),
        ))
        .execute(connection)
        .await?;
    let entry = AuditEntry::new(None, "plan.ended", "plan_enrollment", enrollment.id).with_changes(
        json!({ "status": { "from": enrollment.status, "to": EnrollmentStatus::Ended }, "reason": reason }),
    );
    audit::record(connection, entry).await?;
    let details = format!("The plan ended on {today} ({reason}).");
    tell_member(connection, clinic, enrollment.owner_id, enrollment.pet_id, &plan.name, "Ended", details).await
}

/// The day a cancelled plan ends: the end of the current period, or of
/// the minimum term when that is later.
pub(crate) fn ends_on(enrollment: &Enrollment, plan: &Plan) -> NaiveDate {
    enrollment.period_end.max(plan.period_end(enrollment.started_on, plan.minimum_periods))
}

/// The last day covered by a period ending (exclusive) on `end`.
fn last_day(end: NaiveDate) -> NaiveDate {
    end.pred_opt().unwrap_or(end)
}

/// An enrollment, held locked until the transaction ends.
pub(crate) async fn locked(connection: &mut AsyncPgConnection, id: uuid::Uuid) -> kernel::Result<Enrollment> {
    Ok(commerce_plan_enrollments::table.find(id).select(Enrollment::as_select()).for_update().first(connection).await?)
}

pub(crate) async fn found(connection: &mut AsyncPgConnection, id: uuid::Uuid) -> kernel::Result<Enrollment> {
    Ok(commerce_plan_enrollments::table.find(id).select(Enrollment::as_select()).first(connection).await?)
}

/// The plan's order waiting to be paid, if one is.
pub(crate) async fn unpaid_order(
    connection: &mut AsyncPgConnection,
    enrollment: uuid::Uuid,
) -> kernel::Result<Option<OrderId>> {
    Ok(commerce_plan_charges::table
        .inner_join(commerce_orders::table)
        .filter(commerce_plan_charges::enrollment_id.eq(enrollment))
        .filter(commerce_orders::status.eq(OrderStatus::PendingPayment))
        .order(commerce_orders::created_at.desc())
        .select(commerce_orders::id)
        .first(connection)
        .await
        .optional()?)
}

async fn charge_of(connection: &mut AsyncPgConnection, order: OrderId) -> kernel::Result<Option<PlanCharge>> {
    Ok(commerce_plan_charges::table.find(order).select(PlanCharge::as_select()).first(connection).await.optional()?)
}

/// Moves the enrollment to `plan` now (a paid upgrade).
async fn switch(
    connection: &mut AsyncPgConnection,
    enrollment: uuid::Uuid,
    plan: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    diesel::update(commerce_plan_enrollments::table.find(enrollment))
        .set((
            commerce_plan_enrollments::plan_id.eq(plan),
            commerce_plan_enrollments::next_plan_id.eq(None::<uuid::Uuid>),
            commerce_plan_enrollments::updated_at.eq(now),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

/// Cancels a plan's order if it is still unpaid (a declined card, a grace
/// period over), which ends a pending plan, suspends a renewing one or drops
/// an upgrade ([`order_cancelled`]).
pub(crate) async fn give_up(
    connection: &mut AsyncPgConnection,
    order: OrderId,
    reason: &str,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        if let Some(order) = crate::access::find(connection, order, true).await?
            && order.status == OrderStatus::PendingPayment
        {
            orders::cancel(connection, order, None, reason, now).await?;
        }
        Ok(())
    })
    .await
}

/// The pet's running plan and whether the caller is its primary owner, or
/// `NotFound` (no plan, or a caller who may not see it).
async fn resolve(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<(Enrollment, bool)> {
    let not_found = || kernel::Error::NotFound { resource: "plan" };
    let (_, access) = pets::access::resolve(connection, principal, pet).await?;
    let enrollment: Enrollment = commerce_plan_enrollments::table
        .filter(commerce_plan_enrollments::pet_id.eq(pet))
        .filter(commerce_plan_enrollments::status.ne(EnrollmentStatus::Ended))
        .select(Enrollment::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or_else(not_found)?;
    let sees =
        access.is_owner() || principal.clinic_role(enrollment.clinic_id).is_some() || principal.is(Role::PlatformAdmin);
    if !sees {
        return Err(not_found());
    }
    Ok((enrollment, access.is_primary_owner()))
}

/// How a pet's plan is shown.
pub async fn view(connection: &mut AsyncPgConnection, enrollment: Enrollment) -> kernel::Result<EnrollmentView> {
    let plan = plans::found(connection, enrollment.plan_id).await?;
    let unpaid_order_id = unpaid_order(connection, enrollment.id).await?;
    let pet_name = pets::service::pets::name_of(connection, enrollment.pet_id).await?;
    let ends_on = (enrollment.status == EnrollmentStatus::Ended)
        .then_some(enrollment.ended_on)
        .flatten()
        .or_else(|| enrollment.cancel_at_period_end.then(|| ends_on(&enrollment, &plan)));
    let transfer_notice = format!(
        "Plans are not transferable: if {pet_name} gets a new primary owner, this plan ends on {} (the end of the \
         current period) and does not renew.",
        enrollment.period_end
    );
    let currency = clinics::scheduling::clinic(connection, plan.clinic_id).await?.currency;
    let plan_view = plans::view(connection, plan, currency).await?;
    let allowance = benefits::allowance(connection, &enrollment, &plan_view.included).await?;
    Ok(EnrollmentView {
        id: enrollment.id,
        pet_id: enrollment.pet_id,
        owner_id: enrollment.owner_id,
        plan: plan_view,
        status: enrollment.status,
        period_index: enrollment.period_index,
        period_start: enrollment.period_start,
        period_end: enrollment.period_end,
        cancel_at_period_end: enrollment.cancel_at_period_end,
        ends_on,
        next_plan_id: enrollment.next_plan_id,
        grace_until: enrollment.grace_until,
        next_retry_on: enrollment.next_retry_on,
        card_saved: enrollment.card().is_some(),
        unpaid_order_id,
        allowance,
        transfer_notice,
        ended_on: enrollment.ended_on,
        end_reason: enrollment.end_reason,
    })
}
