-- Wellness plans (a clinic's care subscriptions for pets) and autoship
-- (repeat orders of a product). Owned by commerce. Every period of a plan
-- is paid through an ordinary order, so invoices, refunds and sales reports
-- see it like any sale.

CREATE TABLE commerce_plans (
    id                  uuid PRIMARY KEY,
    clinic_id           uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    species             text NOT NULL,
    name                text NOT NULL,
    description         text NOT NULL DEFAULT '',
    -- 'month' or 'year': the length of one paid period.
    billing_period      text NOT NULL,
    price               numeric(12, 2) NOT NULL,
    enrollment_fee      numeric(12, 2) NOT NULL DEFAULT 0,
    -- Off products and services outside the allowance.
    discount_percent    integer NOT NULL DEFAULT 0,
    -- Periods paid before a cancellation takes effect.
    minimum_periods     integer NOT NULL DEFAULT 1,
    is_active           boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_plans_name_key UNIQUE (clinic_id, name),
    CONSTRAINT commerce_plans_period_check CHECK (billing_period IN ('month', 'year')),
    CONSTRAINT commerce_plans_amounts_check CHECK (price >= 0 AND enrollment_fee >= 0),
    CONSTRAINT commerce_plans_discount_check CHECK (discount_percent BETWEEN 0 AND 100),
    CONSTRAINT commerce_plans_minimum_check CHECK (minimum_periods BETWEEN 1 AND 120)
);
CREATE INDEX commerce_plans_clinic_idx ON commerce_plans (clinic_id, id DESC);

-- The clinic's services a plan includes, each so many times per period.
CREATE TABLE commerce_plan_services (
    plan_id     uuid NOT NULL REFERENCES commerce_plans (id) ON DELETE CASCADE,
    service_id  uuid NOT NULL REFERENCES clinic_services (id) ON DELETE CASCADE,
    per_period  integer NOT NULL,
    PRIMARY KEY (plan_id, service_id),
    CONSTRAINT commerce_plan_services_count_check CHECK (per_period BETWEEN 1 AND 365)
);

CREATE TABLE commerce_plan_enrollments (
    id                      uuid PRIMARY KEY,
    plan_id                 uuid NOT NULL REFERENCES commerce_plans (id),
    clinic_id               uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    pet_id                  uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    -- The primary owner who enrolled the pet: a plan is not transferable.
    owner_id                uuid REFERENCES users (id) ON DELETE SET NULL,
    -- pending (first payment awaited), active, past_due (a renewal unpaid,
    -- within the grace period), suspended (grace period over), ended.
    status                  text NOT NULL,
    -- The first period's first day: period n runs from n - 1 periods after
    -- it to n periods after it (so 31 January renews on the last day of
    -- each shorter month, and on the 31st again when there is one).
    started_on              date NOT NULL,
    -- 1 for the first period; each renewal adds one.
    period_index            integer NOT NULL DEFAULT 1,
    period_start            date NOT NULL,
    period_end              date NOT NULL,
    cancel_at_period_end    boolean NOT NULL DEFAULT false,
    -- A cheaper plan chosen: it takes over at the next renewal.
    next_plan_id            uuid REFERENCES commerce_plans (id),
    -- The unpaid renewal: its last day of grace, attempts so far, next try.
    grace_until             date,
    failed_attempts         integer NOT NULL DEFAULT 0,
    next_retry_on           date,
    -- The provider's saved card (Stripe customer and payment method).
    card_customer           text,
    card_payment_method     text,
    ended_on                date,
    end_reason              text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_plan_enrollments_status_check
        CHECK (status IN ('pending', 'active', 'past_due', 'suspended', 'ended')),
    CONSTRAINT commerce_plan_enrollments_period_check CHECK (period_start < period_end AND period_index >= 1),
    CONSTRAINT commerce_plan_enrollments_ended_check CHECK ((status = 'ended') = (ended_on IS NOT NULL))
);
-- One plan at a time per pet.
CREATE UNIQUE INDEX commerce_plan_enrollments_running_idx ON commerce_plan_enrollments (pet_id) WHERE status <> 'ended';
CREATE INDEX commerce_plan_enrollments_clinic_idx ON commerce_plan_enrollments (clinic_id, status, id DESC);
CREATE INDEX commerce_plan_enrollments_due_idx ON commerce_plan_enrollments (period_end) WHERE status IN ('active', 'past_due');

-- The order that pays each period (and each prorated upgrade): at most one
-- per period, so a renewal run twice charges once.
CREATE TABLE commerce_plan_charges (
    order_id        uuid PRIMARY KEY REFERENCES commerce_orders (id) ON DELETE CASCADE,
    enrollment_id   uuid NOT NULL REFERENCES commerce_plan_enrollments (id) ON DELETE CASCADE,
    -- The plan it pays for (an upgrade's new plan takes over once paid).
    plan_id         uuid NOT NULL REFERENCES commerce_plans (id),
    period_index    integer NOT NULL,
    -- 'period' (enrollment or renewal) or 'upgrade'.
    kind            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_plan_charges_kind_check CHECK (kind IN ('period', 'upgrade'))
);
CREATE UNIQUE INDEX commerce_plan_charges_period_idx
    ON commerce_plan_charges (enrollment_id, period_index) WHERE kind = 'period';

-- Each included service used: one per completed visit.
CREATE TABLE commerce_plan_usage (
    appointment_id  uuid PRIMARY KEY REFERENCES appointments (id) ON DELETE CASCADE,
    enrollment_id   uuid NOT NULL REFERENCES commerce_plan_enrollments (id) ON DELETE CASCADE,
    period_index    integer NOT NULL,
    service_id      uuid NOT NULL REFERENCES clinic_services (id) ON DELETE CASCADE,
    used_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commerce_plan_usage_period_idx ON commerce_plan_usage (enrollment_id, period_index, service_id);

-- A repeat order of one product for a pet, placed by a job every N days.
CREATE TABLE commerce_autoships (
    id              uuid PRIMARY KEY,
    owner_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    pet_id          uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    product_id      uuid NOT NULL REFERENCES commerce_products (id) ON DELETE CASCADE,
    quantity        integer NOT NULL,
    every_days      integer NOT NULL,
    next_on         date NOT NULL,
    fulfilment      text NOT NULL,
    shipping_address jsonb,
    -- active or stopped (by the owner, or when a prescription runs out).
    status          text NOT NULL,
    stop_reason     text,
    shipments       integer NOT NULL DEFAULT 0,
    last_order_id   uuid REFERENCES commerce_orders (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_autoships_quantity_check CHECK (quantity BETWEEN 1 AND 999),
    CONSTRAINT commerce_autoships_every_check CHECK (every_days BETWEEN 7 AND 365),
    CONSTRAINT commerce_autoships_status_check CHECK (status IN ('active', 'stopped')),
    CONSTRAINT commerce_autoships_fulfilment_check CHECK (fulfilment IN ('pickup', 'shipping')),
    CONSTRAINT commerce_autoships_shipping_check CHECK (fulfilment = 'shipping' OR shipping_address IS NULL)
);
CREATE INDEX commerce_autoships_owner_idx ON commerce_autoships (owner_id, id DESC);
CREATE INDEX commerce_autoships_due_idx ON commerce_autoships (next_on) WHERE status = 'active';
