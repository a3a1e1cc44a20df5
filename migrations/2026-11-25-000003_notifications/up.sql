-- Notifications: the in-app inbox (one row per notification sent to a user),
-- each channel's delivery with its log, channel preferences, quiet hours and
-- push devices. Channel switches move here from users.preferences.

UPDATE users SET preferences = preferences - 'notifications' WHERE preferences ? 'notifications';

CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    recipient_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category      text NOT NULL,
    template      text NOT NULL,
    -- Rendered at send time, so the inbox shows what was sent even if a template changes.
    title         text NOT NULL,
    body          text NOT NULL,
    data          jsonb NOT NULL DEFAULT '{}',
    -- The clinic sending it ({"name", "email"}): the email's From.
    sender        jsonb,
    -- Whether the inbox shows it (the user may switch in-app off for a category).
    in_inbox      boolean NOT NULL,
    read_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_category_check
        CHECK (category IN ('appointment', 'reminder', 'emergency', 'chat', 'order', 'account', 'marketing'))
);
-- The inbox, newest first, and its unread filter / count.
CREATE INDEX notifications_inbox_idx ON notifications (recipient_id, id DESC) WHERE in_inbox;
CREATE INDEX notifications_unread_idx ON notifications (recipient_id) WHERE in_inbox AND read_at IS NULL;

-- One row per notification and external channel: the delivery log.
CREATE TABLE notification_deliveries (
    id                  uuid PRIMARY KEY,
    notification_id     uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel             text NOT NULL,
    status              text NOT NULL DEFAULT 'pending',
    attempts            integer NOT NULL DEFAULT 0,
    provider_message_id text,
    last_error          text,
    -- After the recipient's quiet hours for non-urgent notifications.
    scheduled_for       timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_deliveries_channel_check CHECK (channel IN ('email', 'sms', 'push')),
    CONSTRAINT notification_deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    CONSTRAINT notification_deliveries_once UNIQUE (notification_id, channel)
);
CREATE INDEX notification_deliveries_status_idx ON notification_deliveries (status, id DESC);
SELECT diesel_manage_updated_at('notification_deliveries');

-- Only the choices that differ from the defaults; see notifications::preferences.
CREATE TABLE notification_preferences (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category  text NOT NULL,
    channel   text NOT NULL,
    enabled   boolean NOT NULL,
    PRIMARY KEY (user_id, category, channel),
    CONSTRAINT notification_preferences_category_check
        CHECK (category IN ('appointment', 'reminder', 'emergency', 'chat', 'order', 'account', 'marketing')),
    CONSTRAINT notification_preferences_channel_check CHECK (channel IN ('email', 'sms', 'push', 'in_app'))
);

-- Local wall-clock times in the user's time zone; may wrap midnight (22:00-07:00).
CREATE TABLE notification_quiet_hours (
    user_id  uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    starts   time NOT NULL,
    ends     time NOT NULL,
    CONSTRAINT notification_quiet_hours_check CHECK (starts <> ends)
);

-- Push tokens (FCM registration tokens); a token belongs to the last user who registered it.
CREATE TABLE push_devices (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token       text NOT NULL,
    platform    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT push_devices_token_key UNIQUE (token),
    CONSTRAINT push_devices_platform_check CHECK (platform IN ('ios', 'android', 'web')),
    CONSTRAINT push_devices_token_check CHECK (length(token) BETWEEN 1 AND 4096)
);
CREATE INDEX push_devices_user_idx ON push_devices (user_id, id DESC);
