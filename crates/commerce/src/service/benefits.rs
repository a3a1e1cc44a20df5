//! What a wellness plan gives while it is active (or past due, within its
//! grace period): its included services at no charge on a visit's draft
//! invoice, each using one unit of the current period's allowance (a new
//! period starts afresh), and its discount on products at checkout and on
//! services outside the allowance.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, ServiceId};
use rust_decimal::Decimal;

use crate::api::{AllowanceView, EnrollmentStatus, IncludedServiceView};
use crate::models::{Enrollment, Plan, PlanService};
use crate::money;
use db::schema::{commerce_plan_enrollments, commerce_plan_services, commerce_plan_usage, commerce_plans};

/// The pet's plan at `clinic` whose benefits apply now, with its plan.
pub async fn covering(
    connection: &mut AsyncPgConnection,
    pet: PetId,
    clinic: ClinicId,
) -> kernel::Result<Option<(Enrollment, Plan)>> {
    Ok(commerce_plan_enrollments::table
        .inner_join(commerce_plans::table.on(commerce_plans::id.eq(commerce_plan_enrollments::plan_id)))
        .filter(commerce_plan_enrollments::pet_id.eq(pet))
        .filter(commerce_plan_enrollments::clinic_id.eq(clinic))
        .filter(commerce_plan_enrollments::status.eq_any(EnrollmentStatus::COVERED))
        .select((Enrollment::as_select(), Plan::as_select()))
        .first(connection)
        .await
        .optional()?)
}

/// The discount (percent) the pet's plan at `clinic` gives; 0 without one.
pub async fn discount(connection: &mut AsyncPgConnection, pet: PetId, clinic: ClinicId) -> kernel::Result<i32> {
    Ok(covering(connection, pet, clinic).await?.map_or(0, |(_, plan)| plan.discount_percent))
}

/// How a completed visit for `service` at `price` is invoiced: included
/// while the allowance lasts (price 0, one unit used, once per visit), at the
/// plan's discount otherwise; the line's description and unit price.
pub async fn visit(
    connection: &mut AsyncPgConnection,
    visit: &appointments::events::AppointmentCompleted,
    name: String,
    price: Decimal,
) -> kernel::Result<(String, Decimal)> {
    let Some((enrollment, plan)) = covering(connection, visit.pet_id, visit.clinic_id).await? else {
        return Ok((name, price));
    };
    let included = included_of(connection, plan.id).await?;
    let per_period = included.iter().find(|service| service.service_id == visit.service_id).map(|s| s.per_period);
    if let Some(per_period) = per_period {
        let used = used_of(connection, &enrollment, visit.service_id).await?;
        if used < i64::from(per_period) {
            diesel::insert_into(commerce_plan_usage::table)
                .values((
                    commerce_plan_usage::appointment_id.eq(visit.appointment_id),
                    commerce_plan_usage::enrollment_id.eq(enrollment.id),
                    commerce_plan_usage::period_index.eq(enrollment.period_index),
                    commerce_plan_usage::service_id.eq(visit.service_id),
                ))
                .on_conflict_do_nothing()
                .execute(connection)
                .await?;
            let description = format!("{name} (included in {}: {} of {per_period} this period)", plan.name, used + 1);
            return Ok((description, Decimal::ZERO));
        }
    }
    if plan.discount_percent == 0 {
        return Ok((name, price));
    }
    let description = format!("{name} ({}% off with {})", plan.discount_percent, plan.name);
    Ok((description, money::discounted(price, plan.discount_percent)))
}

/// Each of the plan's `included` services (as its view shows them):
/// included, used and left in the enrollment's current period.
pub async fn allowance(
    connection: &mut AsyncPgConnection,
    enrollment: &Enrollment,
    included: &[IncludedServiceView],
) -> kernel::Result<Vec<AllowanceView>> {
    let used: Vec<(ServiceId, i64)> = commerce_plan_usage::table
        .filter(commerce_plan_usage::enrollment_id.eq(enrollment.id))
        .filter(commerce_plan_usage::period_index.eq(enrollment.period_index))
        .group_by(commerce_plan_usage::service_id)
        .select((commerce_plan_usage::service_id, diesel::dsl::count_star()))
        .load(connection)
        .await?;
    Ok(included
        .iter()
        .map(|service| {
            let used = used.iter().find(|(id, _)| *id == service.service_id).map_or(0, |(_, count)| *count);
            let used = i32::try_from(used).unwrap_or(i32::MAX);
            AllowanceView {
                service_id: service.service_id,
                name: service.name.clone(),
                included: service.per_period,
                used,
                left: (service.per_period - used).max(0),
            }
        })
        .collect())
}

/// A plan's included services.
pub async fn included_of(connection: &mut AsyncPgConnection, plan: uuid::Uuid) -> kernel::Result<Vec<PlanService>> {
    Ok(commerce_plan_services::table
        .filter(commerce_plan_services::plan_id.eq(plan))
        .order(commerce_plan_services::service_id)
        .select(PlanService::as_select())
        .load(connection)
        .await?)
}

async fn used_of(
    connection: &mut AsyncPgConnection,
    enrollment: &Enrollment,
    service: ServiceId,
) -> kernel::Result<i64> {
    Ok(commerce_plan_usage::table
        .filter(commerce_plan_usage::enrollment_id.eq(enrollment.id))
        .filter(commerce_plan_usage::period_index.eq(enrollment.period_index))
        .filter(commerce_plan_usage::service_id.eq(service))
        .count()
        .get_result(connection)
        .await?)
}
