-- Identity and access: users, processed webhook deliveries, the audit log.

CREATE TABLE users (
    id               uuid PRIMARY KEY,
    -- The identity provider's (Clerk's) user id; the token `sub`.
    clerk_id         text NOT NULL,
    -- Personal data: NULL until known, erased when the provider deletes the user.
    email            text,
    first_name       text,
    last_name        text,
    phone            text,
    role             text NOT NULL DEFAULT 'pet_owner',
    -- Typed in Rust (accounts::Preferences): time zone, locale, notification channels.
    preferences      jsonb NOT NULL DEFAULT '{}',
    is_active        boolean NOT NULL DEFAULT true,
    -- `updated_at` of the newest provider event applied; older events are skipped,
    -- so webhooks arriving out of order converge on the newest state.
    provider_updated_at timestamptz,
    -- Set when the provider deleted the user; the row stays for referential integrity.
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_clerk_id_key UNIQUE (clerk_id),
    CONSTRAINT users_role_check CHECK (role IN ('pet_owner', 'veterinarian', 'receptionist', 'clinic_admin', 'platform_admin')),
    CONSTRAINT users_email_check CHECK (email IS NULL OR (length(email) <= 254 AND email LIKE '%_@_%')),
    CONSTRAINT users_names_check CHECK (coalesce(length(first_name), 0) <= 100 AND coalesce(length(last_name), 0) <= 100),
    CONSTRAINT users_phone_check CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$')
);
-- Emails are unique regardless of case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
-- Admin listing by role / active flag, newest first.
CREATE INDEX users_role_id_idx ON users (role, id DESC);
-- Admin search by name or email.
CREATE INDEX users_search_idx ON users USING gin (
    (coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')) gin_trgm_ops
);
SELECT diesel_manage_updated_at('users');

-- Webhook deliveries already processed, keyed by the sender's message id, so a
-- redelivered event (even re-signed with a new timestamp) has one effect.
CREATE TABLE webhook_deliveries (
    provider     text NOT NULL,
    message_id   text NOT NULL,
    event_type   text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, message_id)
);

-- Who changed what, append-only. Partitioned by month (the jobs area adds the
-- cron that creates next month's partition ahead of time; until then rows land
-- in the default partition).
CREATE TABLE audit_log (
    id           uuid NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    -- NULL when the system acted (a webhook, a job).
    actor_id     uuid,
    action       text NOT NULL,
    target_type  text NOT NULL,
    target_id    text NOT NULL,
    request_id   text,
    -- A minimal {"field": {"from": .., "to": ..}} of what changed; never secrets.
    changes      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
