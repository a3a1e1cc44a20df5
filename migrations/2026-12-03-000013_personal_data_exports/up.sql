-- A person's data export, built by a job when too large to answer at once;
-- the document itself is a media file, downloaded through a signed link.

ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export'));

CREATE TABLE personal_data_exports (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'pending',
    -- The document, once built.
    media_id      uuid REFERENCES media (id) ON DELETE SET NULL,
    requested_at  timestamptz NOT NULL,
    completed_at  timestamptz,
    -- When the document is deleted (the export is then `expired`).
    expires_at    timestamptz,
    CONSTRAINT personal_data_exports_status_check CHECK (status IN ('pending', 'ready', 'expired')),
    CONSTRAINT personal_data_exports_ready_check CHECK (status <> 'ready' OR (media_id IS NOT NULL AND expires_at IS NOT NULL))
);
-- One export in the making per person: asking again returns it.
CREATE UNIQUE INDEX personal_data_exports_pending_idx ON personal_data_exports (user_id) WHERE status = 'pending';
CREATE INDEX personal_data_exports_user_idx ON personal_data_exports (user_id, requested_at DESC);
