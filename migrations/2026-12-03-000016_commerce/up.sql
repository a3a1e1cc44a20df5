-- Commerce: a clinic's catalog and stock, owners' carts, orders and their
-- payments. Money is NUMERIC(12,2) in the clinic's currency.

-- Products have a picture.
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export',
                       'chat_attachment', 'emergency_photo', 'product_image', 'sales_report'));

-- The platform's category tree (food > dry food, medication > antiparasitics).
CREATE TABLE commerce_categories (
    id          uuid PRIMARY KEY,
    parent_id   uuid REFERENCES commerce_categories (id) ON DELETE RESTRICT,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_categories_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT commerce_categories_sibling_name UNIQUE NULLS NOT DISTINCT (parent_id, name)
);

-- What a clinic sells. `stock_quantity` is what can still be sold: a checkout
-- takes its lines' quantities off (the reservation) and a cancelled or
-- expired order gives them back. It is never negative.
CREATE TABLE commerce_products (
    id                      uuid PRIMARY KEY,
    clinic_id               uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    category_id             uuid REFERENCES commerce_categories (id) ON DELETE SET NULL,
    sku                     text NOT NULL,
    name                    text NOT NULL,
    description             text NOT NULL DEFAULT '',
    -- Species it is for; empty for all.
    species                 text[] NOT NULL DEFAULT '{}',
    -- Before tax.
    price                   numeric(12, 2) NOT NULL,
    tax_class               text NOT NULL,
    prescription_required   boolean NOT NULL DEFAULT false,
    -- The drug a prescription must name (medication records' `drug`).
    drug                    text,
    track_stock             boolean NOT NULL DEFAULT true,
    stock_quantity          integer NOT NULL DEFAULT 0,
    -- At or below this, the clinic's admins are told (once per crossing).
    low_stock_threshold     integer NOT NULL DEFAULT 0,
    image_id                uuid REFERENCES media (id) ON DELETE SET NULL,
    is_active               boolean NOT NULL DEFAULT true,
    search                  tsvector GENERATED ALWAYS AS (
                                setweight(to_tsvector('simple', name), 'A')
                                || setweight(to_tsvector('simple', sku), 'A')
                                || setweight(to_tsvector('simple', coalesce(drug, '')), 'B')
                                || setweight(to_tsvector('simple', description), 'C')) STORED,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_products_sku_unique UNIQUE (clinic_id, sku),
    CONSTRAINT commerce_products_sku_check CHECK (length(sku) BETWEEN 1 AND 64),
    CONSTRAINT commerce_products_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT commerce_products_description_check CHECK (length(description) <= 5000),
    CONSTRAINT commerce_products_price_check CHECK (price >= 0),
    CONSTRAINT commerce_products_species_check CHECK (array_position(species, NULL) IS NULL),
    CONSTRAINT commerce_products_tax_class_check CHECK (tax_class IN ('standard', 'reduced', 'zero')),
    CONSTRAINT commerce_products_drug_check CHECK (NOT prescription_required OR drug IS NOT NULL),
    CONSTRAINT commerce_products_stock_check CHECK (stock_quantity >= 0),
    CONSTRAINT commerce_products_threshold_check CHECK (low_stock_threshold >= 0)
);
CREATE INDEX commerce_products_search_idx ON commerce_products USING gin (search);
CREATE INDEX commerce_products_clinic_idx ON commerce_products (clinic_id, id DESC);
CREATE INDEX commerce_products_category_idx ON commerce_products (category_id, id DESC);
CREATE INDEX commerce_products_price_idx ON commerce_products (price);

-- A clinic's tax rate per class (0.2000 is 20%); a class without one is untaxed.
CREATE TABLE commerce_tax_rates (
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    tax_class   text NOT NULL,
    rate        numeric(6, 4) NOT NULL,
    PRIMARY KEY (clinic_id, tax_class),
    CONSTRAINT commerce_tax_rates_class_check CHECK (tax_class IN ('standard', 'reduced')),
    CONSTRAINT commerce_tax_rates_rate_check CHECK (rate >= 0 AND rate < 1)
);

-- An owner's cart at a clinic: its lines (the price is the one last shown).
CREATE TABLE commerce_cart_lines (
    owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  uuid NOT NULL REFERENCES commerce_products (id) ON DELETE CASCADE,
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    -- The pet a prescription product is for.
    pet_id      uuid REFERENCES pets (id) ON DELETE CASCADE,
    quantity    integer NOT NULL,
    unit_price  numeric(12, 2) NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, product_id),
    CONSTRAINT commerce_cart_lines_quantity_check CHECK (quantity BETWEEN 1 AND 999)
);
CREATE INDEX commerce_cart_lines_cart_idx ON commerce_cart_lines (owner_id, clinic_id);

CREATE TABLE commerce_orders (
    id                  uuid PRIMARY KEY,
    clinic_id           uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    owner_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    status              text NOT NULL,
    currency            text NOT NULL,
    subtotal            numeric(12, 2) NOT NULL,
    tax_total           numeric(12, 2) NOT NULL,
    total               numeric(12, 2) NOT NULL,
    fulfilment          text NOT NULL,
    shipping_address    jsonb,
    tracking_number     text,
    note                text,
    -- Unpaid by then, the order is cancelled and its stock given back.
    pay_by              timestamptz NOT NULL,
    paid_at             timestamptz,
    fulfilled_at        timestamptz,
    delivered_at        timestamptz,
    cancelled_at        timestamptz,
    cancel_reason       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_orders_status_check
        CHECK (status IN ('pending_payment', 'paid', 'fulfilled', 'delivered', 'cancelled', 'refunded')),
    CONSTRAINT commerce_orders_fulfilment_check CHECK (fulfilment IN ('pickup', 'shipping')),
    -- A shipment's address is forgotten with its owner (erasure).
    CONSTRAINT commerce_orders_shipping_check CHECK (fulfilment = 'shipping' OR shipping_address IS NULL),
    CONSTRAINT commerce_orders_totals_check CHECK (total = subtotal + tax_total AND subtotal >= 0 AND tax_total >= 0),
    CONSTRAINT commerce_orders_note_check CHECK (length(coalesce(note, '')) <= 1000)
);
CREATE INDEX commerce_orders_owner_idx ON commerce_orders (owner_id, id DESC);
CREATE INDEX commerce_orders_clinic_idx ON commerce_orders (clinic_id, id DESC);

CREATE TABLE commerce_order_lines (
    id              uuid PRIMARY KEY,
    order_id        uuid NOT NULL REFERENCES commerce_orders (id) ON DELETE CASCADE,
    product_id      uuid REFERENCES commerce_products (id) ON DELETE SET NULL,
    pet_id          uuid REFERENCES pets (id) ON DELETE SET NULL,
    -- The medication record that allowed a prescription product: each line
    -- of an order that is not cancelled uses one of its refills.
    prescription_id uuid REFERENCES health_records (id) ON DELETE SET NULL,
    sku             text NOT NULL,
    name            text NOT NULL,
    quantity        integer NOT NULL,
    unit_price      numeric(12, 2) NOT NULL,
    tax_rate        numeric(6, 4) NOT NULL,
    net             numeric(12, 2) NOT NULL,
    tax             numeric(12, 2) NOT NULL,
    -- Whether stock was taken for it (a tracked product).
    reserved        boolean NOT NULL,
    -- Units a refund put back in stock.
    returned        integer NOT NULL DEFAULT 0,
    CONSTRAINT commerce_order_lines_quantity_check CHECK (quantity BETWEEN 1 AND 999),
    CONSTRAINT commerce_order_lines_returned_check CHECK (returned BETWEEN 0 AND quantity),
    CONSTRAINT commerce_order_lines_amounts_check CHECK (net = unit_price * quantity AND tax >= 0)
);
CREATE INDEX commerce_order_lines_order_idx ON commerce_order_lines (order_id);
CREATE INDEX commerce_order_lines_prescription_idx ON commerce_order_lines (prescription_id)
    WHERE prescription_id IS NOT NULL;

-- How an order is paid: one payment per order, through the configured provider.
CREATE TABLE commerce_payments (
    id          uuid PRIMARY KEY,
    order_id    uuid NOT NULL UNIQUE REFERENCES commerce_orders (id) ON DELETE CASCADE,
    provider    text NOT NULL,
    -- The provider's id of it (a PaymentIntent's); none for offline payments.
    reference   text,
    status      text NOT NULL,
    amount      numeric(12, 2) NOT NULL,
    currency    text NOT NULL,
    captured    numeric(12, 2) NOT NULL DEFAULT 0,
    refunded    numeric(12, 2) NOT NULL DEFAULT 0,
    -- Offline payments: how it was paid, and who took it.
    method      text,
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_payments_provider_check CHECK (provider IN ('offline', 'stripe')),
    CONSTRAINT commerce_payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT commerce_payments_reference_unique UNIQUE (provider, reference),
    CONSTRAINT commerce_payments_amounts_check
        CHECK (captured >= 0 AND captured <= amount AND refunded >= 0 AND refunded <= captured),
    CONSTRAINT commerce_payments_method_check CHECK (method IS NULL OR method IN ('cash', 'card', 'bank_transfer', 'other'))
);

-- Money paid back: never more than was captured (the payment's `refunded`
-- counts every refund made, under the payment's row lock).
CREATE TABLE commerce_refunds (
    id              uuid PRIMARY KEY,
    payment_id      uuid NOT NULL REFERENCES commerce_payments (id) ON DELETE CASCADE,
    amount          numeric(12, 2) NOT NULL,
    reason          text,
    -- The provider's id of it (a Stripe refund's); none offline.
    reference       text,
    -- Units of each line put back in stock: [{"product_id", "quantity"}].
    restocked       jsonb NOT NULL DEFAULT '[]',
    requested_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_refunds_amount_check CHECK (amount > 0),
    CONSTRAINT commerce_refunds_reason_check CHECK (length(coalesce(reason, '')) <= 500)
);
CREATE INDEX commerce_refunds_payment_idx ON commerce_refunds (payment_id);

-- Payment provider events already applied (a redelivery changes nothing).
CREATE TABLE commerce_payment_events (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- Every change of a product's stock, with its reason (the stock's audit trail).
CREATE TABLE commerce_stock_movements (
    id              uuid PRIMARY KEY,
    product_id      uuid NOT NULL REFERENCES commerce_products (id) ON DELETE CASCADE,
    change          integer NOT NULL,
    quantity_after  integer NOT NULL,
    reason          text NOT NULL,
    note            text,
    order_id        uuid REFERENCES commerce_orders (id) ON DELETE SET NULL,
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_stock_movements_change_check CHECK (change <> 0),
    CONSTRAINT commerce_stock_movements_reason_check CHECK (reason IN
        ('received', 'counted', 'damaged', 'expired', 'returned', 'other', 'reserved', 'released', 'refunded')),
    CONSTRAINT commerce_stock_movements_note_check CHECK (length(coalesce(note, '')) <= 500)
);
CREATE INDEX commerce_stock_movements_product_idx ON commerce_stock_movements (product_id, id DESC);

-- Invoices: one per paid order, and a draft for each completed appointment
-- (its staff complete it before issuing). Issuing gives the next number of
-- the clinic's counter, locked in the issuing transaction, so numbers have
-- no gap and no duplicate. An issued invoice never changes (a trigger
-- refuses it); a credit note, numbered the same way, corrects it.
CREATE TABLE commerce_invoices (
    id              uuid PRIMARY KEY,
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    owner_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    order_id        uuid UNIQUE REFERENCES commerce_orders (id) ON DELETE SET NULL,
    appointment_id  uuid UNIQUE REFERENCES appointments (id) ON DELETE SET NULL,
    kind            text NOT NULL,
    -- The invoice a credit note corrects.
    credits_id      uuid REFERENCES commerce_invoices (id) ON DELETE RESTRICT,
    status          text NOT NULL,
    number          integer,
    currency        text NOT NULL,
    subtotal        numeric(12, 2) NOT NULL,
    tax_total       numeric(12, 2) NOT NULL,
    total           numeric(12, 2) NOT NULL,
    note            text,
    issued_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commerce_invoices_number_unique UNIQUE (clinic_id, number),
    CONSTRAINT commerce_invoices_kind_check CHECK (kind IN ('invoice', 'credit_note')),
    CONSTRAINT commerce_invoices_status_check CHECK (status IN ('draft', 'issued')),
    CONSTRAINT commerce_invoices_issued_check
        CHECK ((status = 'issued') = (number IS NOT NULL AND issued_at IS NOT NULL)),
    CONSTRAINT commerce_invoices_credits_check CHECK ((kind = 'credit_note') = (credits_id IS NOT NULL)),
    CONSTRAINT commerce_invoices_totals_check CHECK (total = subtotal + tax_total),
    CONSTRAINT commerce_invoices_note_check CHECK (length(coalesce(note, '')) <= 500)
);
CREATE INDEX commerce_invoices_clinic_idx ON commerce_invoices (clinic_id, id DESC);
CREATE INDEX commerce_invoices_owner_idx ON commerce_invoices (owner_id, id DESC);
CREATE UNIQUE INDEX commerce_invoices_one_credit_idx ON commerce_invoices (credits_id) WHERE credits_id IS NOT NULL;

CREATE TABLE commerce_invoice_lines (
    id          uuid PRIMARY KEY,
    invoice_id  uuid NOT NULL REFERENCES commerce_invoices (id) ON DELETE CASCADE,
    description text NOT NULL,
    quantity    integer NOT NULL,
    unit_price  numeric(12, 2) NOT NULL,
    tax_rate    numeric(6, 4) NOT NULL,
    net         numeric(12, 2) NOT NULL,
    tax         numeric(12, 2) NOT NULL,
    CONSTRAINT commerce_invoice_lines_description_check CHECK (length(description) BETWEEN 1 AND 200),
    CONSTRAINT commerce_invoice_lines_quantity_check CHECK (quantity BETWEEN 1 AND 999),
    CONSTRAINT commerce_invoice_lines_amounts_check CHECK (net = unit_price * quantity AND tax >= 0)
);
CREATE INDEX commerce_invoice_lines_invoice_idx ON commerce_invoice_lines (invoice_id);

-- The last number each clinic issued.
CREATE TABLE commerce_invoice_counters (
    clinic_id   uuid PRIMARY KEY REFERENCES clinics (id) ON DELETE CASCADE,
    last_number integer NOT NULL
);

CREATE FUNCTION commerce_issued_invoice_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'commerce_invoices' THEN
        IF OLD.status = 'issued' AND (TG_OP = 'DELETE' OR
            (NEW.clinic_id, NEW.kind, NEW.status, NEW.number, NEW.currency, NEW.subtotal, NEW.tax_total, NEW.total,
             NEW.issued_at, NEW.credits_id)
            IS DISTINCT FROM
            (OLD.clinic_id, OLD.kind, OLD.status, OLD.number, OLD.currency, OLD.subtotal, OLD.tax_total, OLD.total,
             OLD.issued_at, OLD.credits_id)) THEN
            RAISE EXCEPTION 'an issued invoice cannot change: issue a credit note' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'commerce_invoices_final';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM commerce_invoices WHERE id = OLD.invoice_id AND status = 'issued') THEN
        RAISE EXCEPTION 'an issued invoice cannot change: issue a credit note' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'commerce_invoices_final';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER commerce_invoices_final BEFORE UPDATE OR DELETE ON commerce_invoices
    FOR EACH ROW EXECUTE FUNCTION commerce_issued_invoice_is_final();
CREATE TRIGGER commerce_invoice_lines_final BEFORE UPDATE OR DELETE ON commerce_invoice_lines
    FOR EACH ROW EXECUTE FUNCTION commerce_issued_invoice_is_final();

-- A clinic's sales and refunds over a range of its local days, as CSV, built
-- by a job and downloaded through a signed link.
CREATE TABLE commerce_sales_reports (
    id              uuid PRIMARY KEY,
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    requested_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    from_date       date NOT NULL,
    to_date         date NOT NULL,
    status          text NOT NULL,
    media_id        uuid REFERENCES media (id) ON DELETE SET NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    CONSTRAINT commerce_sales_reports_status_check CHECK (status IN ('pending', 'ready')),
    CONSTRAINT commerce_sales_reports_range_check CHECK (from_date <= to_date AND to_date - from_date <= 366)
);
CREATE INDEX commerce_sales_reports_clinic_idx ON commerce_sales_reports (clinic_id, id DESC);
