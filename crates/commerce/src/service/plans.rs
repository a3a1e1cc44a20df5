//! A clinic's wellness plans: defined by its admins, seen by everyone (owners
//! choose one for their pet), and the clinic's overview of them: members per
//! plan, revenue per month, the renewals that failed; and who holds one (a
//! campaign's audience).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, Principal, Role, ServiceId, Valid};
use platform::audit::{self, AuditEntry};
use rust_decimal::Decimal;
use serde_json::json;

use crate::api::{
    EnrollmentStatus, IncludedServiceView, OrderStatus, PlanMembers, PlanRequest, PlanRevenue, PlanView, PlansOverview,
};
use crate::models::{Enrollment, Plan, PlanService};
use crate::service::{benefits, enrollments};
use db::schema::{
    commerce_orders, commerce_plan_charges, commerce_plan_enrollments, commerce_plan_services, commerce_plans,
};

kernel::constraint_fields!("commerce_plans_name_key" => "name");

/// The pets in one of the clinic's plans now (active, or past due within
/// its grace), each once: their owners and co-owners are its members.
pub async fn enrolled_pets(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<PetId>> {
    Ok(commerce_plan_enrollments::table
        .filter(commerce_plan_enrollments::clinic_id.eq(clinic))
        .filter(commerce_plan_enrollments::status.eq_any(EnrollmentStatus::COVERED))
        .select(commerce_plan_enrollments::pet_id)
        .distinct()
        .load(connection)
        .await?)
}

/// Adds a plan to the clinic (its admins).
pub async fn add(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    request: &Valid<PlanRequest>,
) -> kernel::Result<PlanView> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_ADMINS)?;
    check_included(connection, clinic.id, request).await?;
    let id = uuid::Uuid::now_v7();
    db::transaction(connection, async |connection| {
        diesel::insert_into(commerce_plans::table)
            .values((commerce_plans::id.eq(id), commerce_plans::clinic_id.eq(clinic.id), Columns::from(&**request)))
            .execute(connection)
            .await?;
        set_included(connection, id, request).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "plan.created", "plan", id)
            .with_changes(json!({ "name": request.name, "price": request.price }));
        audit::record(connection, entry).await
    })
    .await?;
    let found = found(connection, id).await?;
    view(connection, found, clinic.currency).await
}

/// Replaces a plan (its clinic's admins). Members keep their current period
/// as paid; renewals charge the new price.
pub async fn update(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
    request: &Valid<PlanRequest>,
) -> kernel::Result<PlanView> {
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let plan = found(connection, id).await?;
    if plan.clinic_id != clinic {
        return Err(kernel::Error::NotFound { resource: "plan" });
    }
    check_included(connection, clinic, request).await?;
    db::transaction(connection, async |connection| {
        diesel::update(commerce_plans::table.find(id))
            .set((Columns::from(&**request), commerce_plans::updated_at.eq(diesel::dsl::now)))
            .execute(connection)
            .await?;
        set_included(connection, id, request).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "plan.updated", "plan", id).with_changes(json!({
            "price": platform::audit::change(plan.price, request.price),
            "is_active": platform::audit::change(plan.is_active, request.is_active),
        }));
        audit::record(connection, entry).await
    })
    .await?;
    let found = found(connection, id).await?;
    let currency = clinics::scheduling::clinic(connection, clinic).await?.currency;
    view(connection, found, currency).await
}

/// The clinic's plans: those open to new members (anyone), or all of them
/// (its staff).
pub async fn of_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<PlanView>> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    let staff = principal.require_staff(clinic.id, Role::CLINIC_STAFF).is_ok();
    let mut query = commerce_plans::table.filter(commerce_plans::clinic_id.eq(clinic.id)).into_boxed();
    if !staff {
        query = query.filter(commerce_plans::is_active.eq(true));
    }
    let plans: Vec<Plan> = query.order(commerce_plans::name).select(Plan::as_select()).load(connection).await?;
    let mut views = Vec::with_capacity(plans.len());
    for plan in plans {
        views.push(view(connection, plan, clinic.currency.clone()).await?);
    }
    Ok(views)
}

/// The clinic's overview of its plans (its staff): members per plan, the
/// last twelve months' revenue, the renewals that failed.
pub async fn overview(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    now: DateTime<Utc>,
) -> kernel::Result<PlansOverview> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic.id, Role::CLINIC_STAFF)?;
    let members: Vec<(uuid::Uuid, String, i64)> = commerce_plans::table
        .left_join(
            commerce_plan_enrollments::table.on(commerce_plan_enrollments::plan_id
                .eq(commerce_plans::id)
                .and(commerce_plan_enrollments::status.eq_any(EnrollmentStatus::COVERED))),
        )
        .filter(commerce_plans::clinic_id.eq(clinic.id))
        .group_by((commerce_plans::id, commerce_plans::name))
        .order(commerce_plans::name)
        .select((
            commerce_plans::id,
            commerce_plans::name,
            diesel::dsl::count(commerce_plan_enrollments::id.nullable()),
        ))
        .load(connection)
        .await?;
    let today = clinics::schedule::local_date(clinic.zone, now);
    let since = today.with_day(1).and_then(|first| first.checked_sub_months(Months::new(11))).unwrap_or(today);
    let paid: Vec<(DateTime<Utc>, Decimal)> = commerce_plan_charges::table
        .inner_join(commerce_orders::table)
        .inner_join(commerce_plan_enrollments::table)
        .filter(commerce_plan_enrollments::clinic_id.eq(clinic.id))
        .filter(commerce_orders::status.eq_any(OrderStatus::PAID))
        .filter(commerce_orders::paid_at.ge(since.and_time(chrono::NaiveTime::MIN).and_utc()))
        .select((commerce_orders::paid_at.assume_not_null(), commerce_orders::total))
        .load(connection)
        .await?;
    let failing: Vec<Enrollment> = commerce_plan_enrollments::table
        .filter(commerce_plan_enrollments::clinic_id.eq(clinic.id))
        .filter(commerce_plan_enrollments::status.eq_any([EnrollmentStatus::PastDue, EnrollmentStatus::Suspended]))
        .order(commerce_plan_enrollments::id.desc())
        .limit(200)
        .select(Enrollment::as_select())
        .load(connection)
        .await?;
    let mut failed_renewals = Vec::with_capacity(failing.len());
    for enrollment in failing {
        failed_renewals.push(enrollments::view(connection, enrollment).await?);
    }
    Ok(PlansOverview {
        plans: members.into_iter().map(|(plan_id, name, members)| PlanMembers { plan_id, name, members }).collect(),
        revenue: by_month(paid.into_iter().map(|(at, total)| (at.with_timezone(&clinic.zone).date_naive(), total))),
        failed_renewals,
        currency: clinic.currency,
    })
}

/// Sums per month (`2026-12`), oldest first.
fn by_month(paid: impl Iterator<Item = (NaiveDate, Decimal)>) -> Vec<PlanRevenue> {
    let mut months = std::collections::BTreeMap::<String, Decimal>::new();
    for (day, total) in paid {
        *months.entry(day.format("%Y-%m").to_string()).or_default() += total;
    }
    months.into_iter().map(|(month, total)| PlanRevenue { month, total }).collect()
}

/// A plan, or `NotFound`.
pub async fn found(connection: &mut AsyncPgConnection, id: uuid::Uuid) -> kernel::Result<Plan> {
    commerce_plans::table
        .find(id)
        .select(Plan::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "plan" })
}

/// How a plan is shown, priced in its clinic's `currency`.
pub async fn view(connection: &mut AsyncPgConnection, plan: Plan, currency: String) -> kernel::Result<PlanView> {
    let included = benefits::included_of(connection, plan.id).await?;
    let ids: Vec<ServiceId> = included.iter().map(|service| service.service_id).collect();
    let names = clinics::service::catalog::names_in(connection, plan.clinic_id, &ids).await?;
    let included = included
        .into_iter()
        .map(|service| IncludedServiceView {
            name: names
                .iter()
                .find(|(id, _)| *id == service.service_id)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            service_id: service.service_id,
            per_period: service.per_period,
        })
        .collect();
    Ok(PlanView {
        id: plan.id,
        clinic_id: plan.clinic_id,
        species: plan.species,
        name: plan.name,
        description: plan.description,
        billing_period: plan.billing_period,
        price: plan.price,
        enrollment_fee: plan.enrollment_fee,
        discount_percent: plan.discount_percent,
        minimum_periods: plan.minimum_periods,
        included,
        is_active: plan.is_active,
        currency,
    })
}

/// Each included service is one of the clinic's, named once.
async fn check_included(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    request: &PlanRequest,
) -> kernel::Result<()> {
    let mut ids: Vec<ServiceId> = request.included.iter().map(|service| service.service_id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != request.included.len() {
        return Err(kernel::Error::invalid_field("included", "names a service twice"));
    }
    let known = clinics::service::catalog::names_in(connection, clinic, &ids).await?;
    if known.len() != ids.len() {
        return Err(kernel::Error::invalid_field("included", "names a service this clinic does not offer"));
    }
    Ok(())
}

async fn set_included(
    connection: &mut AsyncPgConnection,
    plan: uuid::Uuid,
    request: &PlanRequest,
) -> kernel::Result<()> {
    diesel::delete(commerce_plan_services::table.filter(commerce_plan_services::plan_id.eq(plan)))
        .execute(connection)
        .await?;
    let rows: Vec<PlanService> = request
        .included
        .iter()
        .map(|service| PlanService { plan_id: plan, service_id: service.service_id, per_period: service.per_period })
        .collect();
    diesel::insert_into(commerce_plan_services::table).values(&rows).execute(connection).await?;
    Ok(())
}

/// The columns a plan request writes.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = commerce_plans)]
struct Columns<'a> {
    species: kernel::Species,
    name: &'a str,
    description: &'a str,
    billing_period: crate::api::BillingPeriod,
    price: Decimal,
    enrollment_fee: Decimal,
    discount_percent: i32,
    minimum_periods: i32,
    is_active: bool,
}

impl<'a> From<&'a PlanRequest> for Columns<'a> {
    fn from(request: &'a PlanRequest) -> Self {
        Self {
            species: request.species,
            name: request.name.trim(),
            description: &request.description,
            billing_period: request.billing_period,
            price: request.price,
            enrollment_fee: request.enrollment_fee,
            discount_percent: request.discount_percent,
            minimum_periods: request.minimum_periods,
            is_active: request.is_active,
        }
    }
}
