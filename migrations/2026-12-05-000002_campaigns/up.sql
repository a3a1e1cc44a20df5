-- A clinic's marketing campaigns: what it says, to which of its clients
-- (the audience filter), when; and each recipient, chosen when sending starts
-- (only clients who opted in to marketing), with the notice sent and whether
-- they unsubscribed through it.
CREATE TABLE campaigns (
    id              uuid PRIMARY KEY,
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    name            text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    -- {"species": [...], "last_visit_before": date, "vaccination_due_within_days": n, "active_plan": bool}
    audience        jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'draft',
    send_at         timestamptz,
    -- When sending started: the clients matching, and those of them not opted in.
    audience_size   integer,
    without_consent integer,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    CONSTRAINT campaigns_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT campaigns_subject_check CHECK (length(subject) BETWEEN 1 AND 150),
    CONSTRAINT campaigns_body_check CHECK (length(body) BETWEEN 1 AND 20000),
    CONSTRAINT campaigns_audience_check CHECK (jsonb_typeof(audience) = 'object'),
    CONSTRAINT campaigns_scheduled_check CHECK (status <> 'scheduled' OR send_at IS NOT NULL),
    CONSTRAINT campaigns_counts_check CHECK (audience_size >= 0 AND without_consent BETWEEN 0 AND audience_size)
);
CREATE INDEX campaigns_clinic_idx ON campaigns (clinic_id, created_at DESC);

CREATE TABLE campaign_recipients (
    campaign_id     uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The sending job that takes this recipient (batches go out spaced in time).
    batch           integer NOT NULL,
    -- The notification sent (notifications' row, purged on its own schedule).
    notification_id uuid,
    sent_at         timestamptz,
    unsubscribed_at timestamptz,
    PRIMARY KEY (campaign_id, user_id),
    CONSTRAINT campaign_recipients_batch_check CHECK (batch >= 0),
    CONSTRAINT campaign_recipients_sent_check CHECK ((notification_id IS NULL) = (sent_at IS NULL))
);
CREATE INDEX campaign_recipients_batch_idx ON campaign_recipients (campaign_id, batch);
CREATE INDEX campaign_recipients_user_idx ON campaign_recipients (user_id);
