//! The daily renewal run, over a date passed in (the job's clock):
//!
//! 1. **Renew**: an active plan whose period is over moves to its next
//!    period and places the order paying it, once per period (the plan's row
//!    lock and a unique index on the period's charge: a second run the same
//!    day finds nothing due). Before that, a cancelled plan past its minimum
//!    term ends, as does a plan whose pet has a new primary owner; a cheaper
//!    plan chosen takes over. With a saved card the order is charged at
//!    once; unpaid (declined, or no card), the plan is `past_due` with a
//!    grace period of `plan_grace_days`, and the owner is told.
//! 2. **Retry**: a past-due plan's card is charged again on days
//!    [`RETRY_DAYS`] of the period (without a card, the owner is reminded);
//!    a success makes it active again.
//! 3. **Suspend**: past its grace period still unpaid, the order is
//!    cancelled, which suspends the plan (the order's own deadline, at the
//!    same moment, does the same if this run is late).

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::Settings;
use crate::api::EnrollmentStatus;
use crate::models::{Enrollment, Order, PlanCharge};
use crate::payments::Payments;
use crate::service::enrollments::{self, Bill, Settled};
use crate::service::messages::{money, tell_member};
use crate::service::plans;
use db::schema::commerce_plan_enrollments;

/// Days after a period's start on which an unpaid renewal is charged again.
pub const RETRY_DAYS: [u64; 3] = [1, 3, 5];

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Plans moved to a new period (an order placed for it).
    pub renewed: usize,
    /// Plans ended (cancelled, or the pet changed owner).
    pub ended: usize,
    /// Unpaid renewals charged again (or reminded).
    pub retried: usize,
    /// Plans suspended at the end of their grace period.
    pub suspended: usize,
}

/// One run on `now`'s date (see the module).
pub async fn run(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    payments: &Payments,
    now: DateTime<Utc>,
) -> kernel::Result<Summary> {
    let today = now.date_naive();
    let mut summary = Summary::default();
    for id in due_renewals(connection, today).await? {
        match renew(connection, settings, id, now).await? {
            Renewal::Ended => summary.ended += 1,
            Renewal::Billed(billed) => {
                let (enrollment, order) = *billed;
                summary.renewed += 1;
                let settled = enrollments::settle(connection, payments, &enrollment, &order, 1, now).await?;
                if settled != Settled::Paid {
                    unpaid(connection, enrollment.id, &settled, now).await?;
                }
            }
            Renewal::NotDue => {}
        }
    }
    for id in due_retries(connection, today).await? {
        match retry(connection, payments, id, now).await? {
            Retry::Suspended => summary.suspended += 1,
            Retry::Attempted => summary.retried += 1,
            Retry::NotDue => {}
        }
    }
    Ok(summary)
}

/// Active plans whose period is over.
async fn due_renewals(connection: &mut AsyncPgConnection, today: NaiveDate) -> kernel::Result<Vec<uuid::Uuid>> {
    Ok(commerce_plan_enrollments::table
        .filter(commerce_plan_enrollments::status.eq(EnrollmentStatus::Active))
        .filter(commerce_plan_enrollments::period_end.le(today))
        .order(commerce_plan_enrollments::id)
        .select(commerce_plan_enrollments::id)
        .load(connection)
        .await?)
}

/// Past-due plans whose next try has come.
async fn due_retries(connection: &mut AsyncPgConnection, today: NaiveDate) -> kernel::Result<Vec<uuid::Uuid>> {
    Ok(commerce_plan_enrollments::table
        .filter(commerce_plan_enrollments::status.eq(EnrollmentStatus::PastDue))
        .filter(commerce_plan_enrollments::next_retry_on.le(today))
        .order(commerce_plan_enrollments::id)
        .select(commerce_plan_enrollments::id)
        .load(connection)
        .await?)
}

enum Renewal {
    NotDue,
    Ended,
    Billed(Box<(Enrollment, Order)>),
}

async fn renew(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<Renewal> {
    let today = now.date_naive();
    db::transaction(connection, async |connection| {
        let enrollment = enrollments::locked(connection, id).await?;
        if enrollment.status != EnrollmentStatus::Active || enrollment.period_end > today {
            return Ok(Renewal::NotDue);
        }
        let clinic = clinics::scheduling::clinic(connection, enrollment.clinic_id).await?;
        let mut plan = plans::found(connection, enrollment.plan_id).await?;
        let owner = pets::service::pets::primary_owner_of(connection, enrollment.pet_id).await?;
        let reason = match () {
            _ if enrollment.owner_id != Some(owner) => Some("the pet has a new primary owner"),
            _ if enrollment.cancel_at_period_end && enrollment.period_index >= plan.minimum_periods => {
                Some("cancelled")
            }
            _ => None,
        };
        if let Some(reason) = reason {
            enrollments::end(connection, &clinic, &enrollment, &plan, reason, today).await?;
            return Ok(Renewal::Ended);
        }
        if let Some(next) = enrollment.next_plan_id {
            plan = plans::found(connection, next).await?;
        }
        let index = enrollment.period_index + 1;
        let grace_until = enrollment.period_end + Days::new(settings.plan_grace_days);
        let enrollment: Enrollment = diesel::update(commerce_plan_enrollments::table.find(id))
            .set((
                commerce_plan_enrollments::plan_id.eq(plan.id),
                commerce_plan_enrollments::next_plan_id.eq(None::<uuid::Uuid>),
                commerce_plan_enrollments::period_index.eq(index),
                commerce_plan_enrollments::period_start.eq(enrollment.period_end),
                commerce_plan_enrollments::period_end.eq(plan.period_end(enrollment.started_on, index)),
                commerce_plan_enrollments::grace_until.eq(grace_until),
                commerce_plan_enrollments::updated_at.eq(now),
            ))
            .returning(Enrollment::as_returning())
            .get_result(connection)
            .await?;
        let lines = vec![enrollments::period_line(&plan, &enrollment)];
        let pay_by = (grace_until + Days::new(1)).and_time(NaiveTime::MIN).and_utc();
        let charge = Bill { plan: &plan, kind: PlanCharge::PERIOD, lines, pay_by };
        let order = enrollments::bill(connection, settings, &clinic, &enrollment, charge, now).await?;
        Ok(Renewal::Billed(Box::new((enrollment, order))))
    })
    .await
}

/// The renewal just placed was not paid: the plan is past due, retried on
/// the next of [`RETRY_DAYS`], the owner told.
async fn unpaid(
    connection: &mut AsyncPgConnection,
    id: uuid::Uuid,
    settled: &Settled,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let enrollment = enrollments::locked(connection, id).await?;
        if enrollment.status != EnrollmentStatus::Active {
            return Ok(());
        }
        let failed = i32::from(matches!(settled, Settled::Declined(_)));
        let next_retry_on = next_try(&enrollment, now.date_naive());
        diesel::update(commerce_plan_enrollments::table.find(id))
            .set((
                commerce_plan_enrollments::status.eq(EnrollmentStatus::PastDue),
                commerce_plan_enrollments::failed_attempts.eq(failed),
                commerce_plan_enrollments::next_retry_on.eq(next_retry_on),
                commerce_plan_enrollments::updated_at.eq(now),
            ))
            .execute(connection)
            .await?;
        let grace = show(enrollment.grace_until);
        let why = match settled {
            Settled::Declined(reason) => {
                format!("The card was declined ({reason}); we try again on {}.", show(next_retry_on))
            }
            _ => "The renewal is due: pay it at the clinic or in the app.".to_owned(),
        };
        tell(connection, &enrollment, "Renewal unpaid", format!("{why} Unpaid after {grace}, the plan is suspended."))
            .await
    })
    .await
}

enum Retry {
    NotDue,
    Attempted,
    Suspended,
}

async fn retry(
    connection: &mut AsyncPgConnection,
    payments: &Payments,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<Retry> {
    let today = now.date_naive();
    let enrollment = enrollments::found(connection, id).await?;
    if enrollment.status != EnrollmentStatus::PastDue || enrollment.next_retry_on.is_none_or(|day| day > today) {
        return Ok(Retry::NotDue);
    }
    let Some(order) = enrollments::unpaid_order(connection, id).await? else { return Ok(Retry::NotDue) };
    if enrollment.grace_until.is_some_and(|grace| grace < today) {
        enrollments::give_up(connection, order, "Not paid within the grace period.", now).await?;
        return Ok(Retry::Suspended);
    }
    let order =
        crate::access::find(connection, order, false).await?.ok_or(kernel::Error::NotFound { resource: "order" })?;
    let attempt = enrollment.failed_attempts + 1;
    let settled = enrollments::settle(connection, payments, &enrollment, &order, attempt, now).await?;
    if settled == Settled::Paid {
        return Ok(Retry::Attempted);
    }
    db::transaction(connection, async |connection| {
        let enrollment = enrollments::locked(connection, id).await?;
        if enrollment.status != EnrollmentStatus::PastDue {
            return Ok(());
        }
        let next_retry_on = next_try(&enrollment, today);
        diesel::update(commerce_plan_enrollments::table.find(id))
            .set((
                commerce_plan_enrollments::failed_attempts
                    .eq(enrollment.failed_attempts + i32::from(matches!(settled, Settled::Declined(_)))),
                commerce_plan_enrollments::next_retry_on.eq(next_retry_on),
                commerce_plan_enrollments::updated_at.eq(now),
            ))
            .execute(connection)
            .await?;
        let grace = show(enrollment.grace_until);
        let details = match &settled {
            Settled::Declined(reason) => format!(
                "{} could not be charged ({reason}). Unpaid after {grace}, the plan is suspended.",
                money(order.total, &order.currency)
            ),
            _ => format!(
                "{} is still due. Unpaid after {grace}, the plan is suspended.",
                money(order.total, &order.currency)
            ),
        };
        tell(connection, &enrollment, "Renewal still unpaid", details).await
    })
    .await?;
    Ok(Retry::Attempted)
}

/// The next retry day after `today`; after the last, the day after the
/// grace period (when the plan is suspended).
fn next_try(enrollment: &Enrollment, today: NaiveDate) -> Option<NaiveDate> {
    RETRY_DAYS
        .iter()
        .map(|&days| enrollment.period_start + Days::new(days))
        .find(|day| *day > today)
        .or(enrollment.grace_until.map(|grace| grace + Days::new(1)))
}

fn show(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "the grace period".to_owned(), |day| day.to_string())
}

async fn tell(
    connection: &mut AsyncPgConnection,
    enrollment: &Enrollment,
    headline: &str,
    details: String,
) -> kernel::Result<()> {
    let clinic = clinics::scheduling::clinic(connection, enrollment.clinic_id).await?;
    let plan = plans::found(connection, enrollment.plan_id).await?;
    tell_member(connection, &clinic, enrollment.owner_id, enrollment.pet_id, &plan.name, headline, details).await
}
