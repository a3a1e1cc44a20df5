-- Files an email carries (an invoice's PDF). They are kept only until the
-- email is sent or has failed for good; the other channels never carry them.
CREATE TABLE notification_attachments (
    id              uuid PRIMARY KEY,
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    file_name       text NOT NULL,
    content_type    text NOT NULL,
    content         bytea NOT NULL,
    CONSTRAINT notification_attachments_file_name_check CHECK (length(file_name) BETWEEN 1 AND 200),
    CONSTRAINT notification_attachments_content_type_check CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    -- 10 MiB: base64 makes it 13.3 MiB on the wire, under the common 20-25 MB relay limits.
    CONSTRAINT notification_attachments_size_check CHECK (octet_length(content) <= 10485760)
);
CREATE INDEX notification_attachments_notification_idx ON notification_attachments (notification_id, id);
