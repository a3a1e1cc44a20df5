-- Writes that must not repeat (bookings, orders, payments) remember their
-- answer per caller and `Idempotency-Key`: a retry gets the stored answer, the
-- same key with another request is refused, and a request still running makes
-- a concurrent one wait its turn (409). Purged daily after a day.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL,
    -- SHA-256 of the operation and its request, hex.
    fingerprint  text NOT NULL,
    -- NULL while the first request runs.
    status       smallint,
    body         jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key),
    CONSTRAINT idempotency_keys_check CHECK (length(key) BETWEEN 1 AND 255 AND (status IS NULL) = (body IS NULL))
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
