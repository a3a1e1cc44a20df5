-- Uploaded files: the upload, its processed original and derivatives, and
-- what it is attached to (a pet's photo, a health record, a clinic, a vet).

CREATE TABLE media (
    id            uuid PRIMARY KEY,
    uploader_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose       text NOT NULL,
    -- Sniffed from the bytes, never taken from the client.
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL,
    -- Sanitised, for Content-Disposition only.
    file_name     text NOT NULL,
    -- Random keys: the upload as received (until processed) and what is served.
    upload_key    text,
    storage_key   text,
    status        text NOT NULL DEFAULT 'processing',
    failure       text,
    width         integer,
    height        integer,
    -- What it is attached to; NULL until attached.
    owner_type    text,
    owner_id      uuid,
    attached_at   timestamptz,
    -- Replaced, detached or its owner deleted: cleanup removes the blobs.
    deleted_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT media_purpose_check CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo')),
    CONSTRAINT media_status_check CHECK (status IN ('processing', 'ready', 'failed')),
    CONSTRAINT media_owner_check CHECK ((owner_type IS NULL) = (owner_id IS NULL)),
    CONSTRAINT media_file_name_check CHECK (length(file_name) BETWEEN 1 AND 200)
);
CREATE INDEX media_unattached_idx ON media (created_at) WHERE owner_id IS NULL AND deleted_at IS NULL;
CREATE INDEX media_deleted_idx ON media (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX media_owner_idx ON media (owner_type, owner_id);
SELECT diesel_manage_updated_at('media');

CREATE TABLE media_variants (
    media_id      uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    -- The long side in pixels, e.g. '512'.
    name          text NOT NULL,
    content_type  text NOT NULL,
    storage_key   text NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    size_bytes    bigint NOT NULL,
    PRIMARY KEY (media_id, name)
);

ALTER TABLE pets ADD COLUMN photo_id uuid REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE clinics ADD COLUMN photo_id uuid REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE vets ADD COLUMN photo_id uuid REFERENCES media (id) ON DELETE SET NULL;

CREATE TABLE health_record_attachments (
    record_id   uuid NOT NULL REFERENCES health_records (id) ON DELETE CASCADE,
    media_id    uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (record_id, media_id)
);
