-- A clinic's outgoing webhooks (inbound ones from Clerk are `webhook_deliveries`):
-- the endpoints its admins registered, each event owed to each endpoint, and
-- every attempt to deliver it.
CREATE TABLE outbound_webhooks (
    id            uuid PRIMARY KEY,
    clinic_id     uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    url           text NOT NULL,
    description   text NOT NULL DEFAULT '',
    -- The event types sent here (`appointment.created`...).
    events        text[] NOT NULL,
    -- `whsec_<base64>`: the key deliveries are signed with.
    secret        text NOT NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Deliveries in a row that failed every attempt; a success resets it.
    failures_in_a_row integer NOT NULL DEFAULT 0,
    disabled_at   timestamptz,
    disabled_reason text,
    CONSTRAINT outbound_webhooks_url_check CHECK (length(url) BETWEEN 8 AND 2000
        AND (url LIKE 'https://%' OR url LIKE 'http://%')),
    CONSTRAINT outbound_webhooks_description_check CHECK (length(description) <= 200),
    CONSTRAINT outbound_webhooks_events_check CHECK (cardinality(events) BETWEEN 1 AND 16
        AND array_position(events, NULL) IS NULL),
    CONSTRAINT outbound_webhooks_failures_check CHECK (failures_in_a_row >= 0)
);
CREATE INDEX outbound_webhooks_clinic_idx ON outbound_webhooks (clinic_id, created_at);

CREATE TABLE outbound_webhook_deliveries (
    endpoint_id   uuid NOT NULL REFERENCES outbound_webhooks (id) ON DELETE CASCADE,
    -- The event's id: every endpoint gets it under this `webhook-id`.
    event_id      uuid NOT NULL,
    event_type    text NOT NULL,
    -- The exact body sent on every attempt.
    body          text NOT NULL,
    status        text NOT NULL DEFAULT 'pending',
    attempts      integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    PRIMARY KEY (endpoint_id, event_id),
    CONSTRAINT outbound_webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
    CONSTRAINT outbound_webhook_deliveries_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX outbound_webhook_deliveries_recent_idx ON outbound_webhook_deliveries (endpoint_id, created_at DESC);
CREATE INDEX outbound_webhook_deliveries_created_idx ON outbound_webhook_deliveries (created_at);

CREATE TABLE outbound_webhook_attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id   uuid NOT NULL,
    event_id      uuid NOT NULL,
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    -- The receiver's answer; NULL when there was none (refused address, timeout).
    status_code   integer,
    error         text,
    duration_ms   integer NOT NULL,
    FOREIGN KEY (endpoint_id, event_id) REFERENCES outbound_webhook_deliveries (endpoint_id, event_id) ON DELETE CASCADE,
    CONSTRAINT outbound_webhook_attempts_status_code_check CHECK (status_code BETWEEN 100 AND 999),
    CONSTRAINT outbound_webhook_attempts_duration_check CHECK (duration_ms >= 0)
);
CREATE INDEX outbound_webhook_attempts_delivery_idx ON outbound_webhook_attempts (endpoint_id, event_id, id);
