//! Rows of the wellness plans' and autoship's tables.

use chrono::{DateTime, Months, NaiveDate, Utc};
use diesel::prelude::*;
use kernel::{ClinicId, OrderId, PetId, ProductId, ServiceId, Species, UserId};
use rust_decimal::Decimal;

use crate::api::{AutoshipStatus, BillingPeriod, EnrollmentStatus, Fulfilment};
use db::schema::{
    commerce_autoships, commerce_plan_charges, commerce_plan_enrollments, commerce_plan_services, commerce_plans,
};

/// A `commerce_plans` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = commerce_plans, check_for_backend(diesel::pg::Pg))]
pub struct Plan {
    pub id: uuid::Uuid,
    pub clinic_id: ClinicId,
    pub species: Species,
    pub name: String,
    pub description: String,
    pub billing_period: BillingPeriod,
    pub price: Decimal,
    pub enrollment_fee: Decimal,
    pub discount_percent: i32,
    pub minimum_periods: i32,
    pub is_active: bool,
}

impl Plan {
    /// The day after period `index` (1 for the first) of a plan started on
    /// `started_on`: `index` months or years on, clamped to the month's last
    /// day (31 January → 28 February → 31 March).
    pub fn period_end(&self, started_on: NaiveDate, index: i32) -> NaiveDate {
        let per_period = match self.billing_period {
            BillingPeriod::Month => 1,
            BillingPeriod::Year => 12,
        };
        let months = u32::try_from(index.max(0)).unwrap_or(0).saturating_mul(per_period);
        started_on.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
    }
}

/// A `commerce_plan_services` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_plan_services, check_for_backend(diesel::pg::Pg))]
pub struct PlanService {
    pub plan_id: uuid::Uuid,
    pub service_id: ServiceId,
    pub per_period: i32,
}

/// A `commerce_plan_enrollments` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_plan_enrollments, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Enrollment {
    pub id: uuid::Uuid,
    pub plan_id: uuid::Uuid,
    pub clinic_id: ClinicId,
    pub pet_id: PetId,
    pub owner_id: Option<UserId>,
    pub status: EnrollmentStatus,
    pub started_on: NaiveDate,
    pub period_index: i32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub cancel_at_period_end: bool,
    pub next_plan_id: Option<uuid::Uuid>,
    pub grace_until: Option<NaiveDate>,
    pub failed_attempts: i32,
    pub next_retry_on: Option<NaiveDate>,
    pub card_customer: Option<String>,
    pub card_payment_method: Option<String>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
}

impl Enrollment {
    /// The saved card, when there is one: (customer, payment method).
    pub fn card(&self) -> Option<(&str, &str)> {
        Some((self.card_customer.as_deref()?, self.card_payment_method.as_deref()?))
    }
}

/// A `commerce_plan_charges` row: the order paying a period or an upgrade.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_plan_charges, check_for_backend(diesel::pg::Pg))]
pub struct PlanCharge {
    pub order_id: OrderId,
    pub enrollment_id: uuid::Uuid,
    pub plan_id: uuid::Uuid,
    pub period_index: i32,
    pub kind: String,
}

impl PlanCharge {
    /// Pays a period (the first with the enrollment fee, or a renewal).
    pub const PERIOD: &'static str = "period";
    /// Pays an upgrade's difference for the rest of the period.
    pub const UPGRADE: &'static str = "upgrade";
}

/// A `commerce_autoships` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commerce_autoships, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Autoship {
    pub id: uuid::Uuid,
    pub owner_id: UserId,
    pub clinic_id: ClinicId,
    pub pet_id: PetId,
    pub product_id: ProductId,
    pub quantity: i32,
    pub every_days: i32,
    pub next_on: NaiveDate,
    pub fulfilment: Fulfilment,
    pub shipping_address: Option<serde_json::Value>,
    pub status: AutoshipStatus,
    pub stop_reason: Option<String>,
    pub shipments: i32,
    pub last_order_id: Option<OrderId>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_count_from_the_first_day_clamped_to_shorter_months() {
        let mut plan = Plan {
            id: uuid::Uuid::nil(),
            clinic_id: ClinicId::new(),
            species: Species::Dog,
            name: String::new(),
            description: String::new(),
            billing_period: BillingPeriod::Month,
            price: Decimal::ONE,
            enrollment_fee: Decimal::ZERO,
            discount_percent: 0,
            minimum_periods: 1,
            is_active: true,
        };
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert_eq!(plan.period_end(day("2027-01-31"), 1), day("2027-02-28"));
        assert_eq!(plan.period_end(day("2027-01-31"), 2), day("2027-03-31"));
        assert_eq!(plan.period_end(day("2026-12-03"), 1), day("2027-01-03"));
        plan.billing_period = BillingPeriod::Year;
        assert_eq!(plan.period_end(day("2028-02-29"), 1), day("2029-02-28"));
        assert_eq!(plan.period_end(day("2028-02-29"), 4), day("2032-02-29"));
    }
}
