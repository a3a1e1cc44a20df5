//! Wellness plans (`/clinics/{id}/plans`, `/pets/{id}/plan`) and autoship
//! (`/autoship`).

use chrono::NaiveDate;
use kernel::{ClinicId, OrderId, PetId, ProductId, ServiceId, Species, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{Fulfilment, ShippingAddress, amount};

kernel::text_enum!(
    /// How long one paid period of a plan lasts.
    BillingPeriod as PlanBillingPeriod {
        /// A calendar month (31 January renews on the last day of February).
        Month = "month",
        /// A year.
        Year = "year",
    }
);

kernel::text_enum!(
    /// Where a pet's plan stands.
    EnrollmentStatus as PlanEnrollmentStatus {
        /// Waiting for its first payment (at the clinic's desk, or online).
        Pending = "pending",
        /// Paid for the current period: its benefits apply.
        Active = "active",
        /// The current period's renewal is unpaid: retried within the grace
        /// period, benefits still apply.
        PastDue = "past_due",
        /// The grace period ended unpaid: no benefits; cancel to end it.
        Suspended = "suspended",
        /// Over (cancelled, not paid, or the pet changed owner).
        Ended = "ended",
    }
);

impl EnrollmentStatus {
    /// Statuses whose benefits apply.
    pub const COVERED: [Self; 2] = [Self::Active, Self::PastDue];
}

kernel::text_enum!(
    /// Where a repeat order stands.
    AutoshipStatus as AutoshipStatus {
        /// An order is placed every `every_days`.
        Active = "active",
        /// No more orders (`stop_reason` says why).
        Stopped = "stopped",
    }
);

/// A service of the clinic a plan includes, so many times per period.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IncludedService {
    /// The clinic's service (a vaccination, a check-up).
    pub service_id: ServiceId,
    /// Visits included per period.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 365))]
    #[schema(minimum = 1, maximum = 365)]
    pub per_period: i32,
}

/// `POST /clinics/{id}/plans`, `PUT /clinics/{id}/plans/{plan_id}` (its admins).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The species it is for.
    pub species: Species,
    /// Unique in the clinic.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// What it covers, for owners.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub description: String,
    /// Charged per month or per year.
    pub billing_period: BillingPeriod,
    /// Price of one period, before tax.
    #[serde(with = "rust_decimal::serde::str")]
    #[validate(custom(function = "amount"))]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "29.90")]
    pub price: Decimal,
    /// Charged once, with the first period.
    #[serde(default, with = "rust_decimal::serde::str")]
    #[validate(custom(function = "amount"))]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "15.00")]
    pub enrollment_fee: Decimal,
    /// Off products at checkout and off services outside the allowance.
    #[serde(default, deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub discount_percent: i32,
    /// Periods paid before a cancellation takes effect.
    #[serde(default = "one", deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 120))]
    #[schema(minimum = 1, maximum = 120)]
    pub minimum_periods: i32,
    /// Included services (each service once).
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub included: Vec<IncludedService>,
    /// Open to new members.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn one() -> i32 {
    1
}

fn yes() -> bool {
    true
}

/// An included service as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncludedServiceView {
    /// The clinic's service.
    pub service_id: ServiceId,
    /// Its name.
    pub name: String,
    /// Visits included per period.
    pub per_period: i32,
}

/// A plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanView {
    /// The plan's id.
    pub id: uuid::Uuid,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// The species it is for.
    pub species: Species,
    /// Its name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Charged per month or per year.
    pub billing_period: BillingPeriod,
    /// Price of one period, before tax.
    #[schema(value_type = String, example = "29.90")]
    pub price: Decimal,
    /// Charged once, with the first period.
    #[schema(value_type = String, example = "15.00")]
    pub enrollment_fee: Decimal,
    /// Off products and services outside the allowance.
    pub discount_percent: i32,
    /// Periods paid before a cancellation takes effect.
    pub minimum_periods: i32,
    /// Included services.
    pub included: Vec<IncludedServiceView>,
    /// Open to new members.
    pub is_active: bool,
    /// The clinic's currency.
    pub currency: String,
}

/// `POST /pets/{id}/plan`: the pet's primary owner enrolls it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// A plan of a clinic caring for the pet, for its species.
    pub plan_id: uuid::Uuid,
    /// With online payments: the card (a Stripe `pm_…` id from the payment
    /// form), saved for renewals. Without: paid at the clinic's desk.
    #[validate(length(min = 1, max = 255))]
    #[schema(min_length = 1, max_length = 255)]
    pub payment_method: Option<String>,
}

/// `PUT /pets/{id}/plan`: switch to another plan of the same clinic.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ChangePlanRequest {
    /// The plan to switch to (same clinic, species and billing period).
    pub plan_id: uuid::Uuid,
}

/// One included service's allowance in the current period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllowanceView {
    /// The clinic's service.
    pub service_id: ServiceId,
    /// Its name.
    pub name: String,
    /// Included per period.
    pub included: i32,
    /// Used this period.
    pub used: i32,
    /// Left this period.
    pub left: i32,
}

/// A pet's plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentView {
    /// The enrollment's id.
    pub id: uuid::Uuid,
    /// The pet.
    pub pet_id: PetId,
    /// Who enrolled it (`null` once their account was erased).
    pub owner_id: Option<UserId>,
    /// The plan.
    pub plan: PlanView,
    /// Where it stands.
    pub status: EnrollmentStatus,
    /// The current period's number (1 for the first).
    pub period_index: i32,
    /// The current period's first day.
    pub period_start: NaiveDate,
    /// The day after the current period (the next renewal).
    pub period_end: NaiveDate,
    /// Cancelled: it ends on `ends_on`.
    pub cancel_at_period_end: bool,
    /// When a cancelled plan ends (the end of the current period, or of the
    /// minimum term when later), or when an ended one did.
    pub ends_on: Option<NaiveDate>,
    /// A cheaper plan chosen, taking over at the next renewal.
    pub next_plan_id: Option<uuid::Uuid>,
    /// An unpaid renewal's last day of grace.
    pub grace_until: Option<NaiveDate>,
    /// The next retry of an unpaid renewal.
    pub next_retry_on: Option<NaiveDate>,
    /// Whether a card is saved for renewals.
    pub card_saved: bool,
    /// The order waiting to be paid, if one is.
    pub unpaid_order_id: Option<OrderId>,
    /// Included services used and left this period.
    pub allowance: Vec<AllowanceView>,
    /// What happens to the plan if the pet changes primary owner.
    pub transfer_notice: String,
    /// When it ended.
    pub ended_on: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// Members of one plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanMembers {
    /// The plan.
    pub plan_id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Pets whose plan is active or past due.
    pub members: i64,
}

/// What plans brought in during one month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanRevenue {
    /// The month, `2026-12`.
    pub month: String,
    /// Paid plan orders, tax included.
    #[schema(value_type = String, example = "358.80")]
    pub total: Decimal,
}

/// `GET /clinics/{id}/plan-overview` (its staff).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlansOverview {
    /// Each plan with its members.
    pub plans: Vec<PlanMembers>,
    /// The last twelve months' plan revenue, oldest first (months with none left out).
    pub revenue: Vec<PlanRevenue>,
    /// Enrollments whose renewal is unpaid (past due or suspended).
    pub failed_renewals: Vec<EnrollmentView>,
    /// The clinic's currency.
    pub currency: String,
}

/// `POST /autoship`: order a product for a pet every `every_days`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "AutoshipRequest::address_for_shipping"))]
pub struct AutoshipRequest {
    /// The product (its clinic sells it).
    pub product_id: ProductId,
    /// The pet it is for (an owner's pet).
    pub pet_id: PetId,
    /// Units per order.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 1, max = 999))]
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i32,
    /// Days between orders.
    #[serde(deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 7, max = 365))]
    #[schema(minimum = 7, maximum = 365)]
    pub every_days: i32,
    /// The first order's day (today when absent).
    pub first_on: Option<NaiveDate>,
    /// Pick up at the clinic (the default) or ship.
    #[serde(default = "super::orders::pickup")]
    pub fulfilment: Fulfilment,
    /// Required when shipping, refused otherwise.
    #[serde(default)]
    #[validate(nested)]
    pub shipping_address: Option<ShippingAddress>,
}

impl AutoshipRequest {
    fn address_for_shipping(&self) -> Result<(), validator::ValidationError> {
        super::orders::address_for(self.fulfilment, self.shipping_address.as_ref())
    }
}

/// A repeat order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AutoshipView {
    /// Its id.
    pub id: uuid::Uuid,
    /// The owner.
    pub owner_id: UserId,
    /// The selling clinic.
    pub clinic_id: ClinicId,
    /// The pet.
    pub pet_id: PetId,
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product_name: String,
    /// Units per order.
    pub quantity: i32,
    /// Days between orders.
    pub every_days: i32,
    /// The next order's day.
    pub next_on: NaiveDate,
    /// Pick up or ship.
    pub fulfilment: Fulfilment,
    /// Where it stands.
    pub status: AutoshipStatus,
    /// Why it stopped.
    pub stop_reason: Option<String>,
    /// Orders placed so far.
    pub shipments: i32,
    /// The last order placed.
    pub last_order_id: Option<OrderId>,
}
