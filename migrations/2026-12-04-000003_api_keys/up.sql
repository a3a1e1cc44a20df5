-- A clinic's API keys for third parties (practice software, labs, websites).
-- The secret is shown once and kept only as its SHA-256; a request finds its
-- key by the prefix, which is also what lists show.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    clinic_id     uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    -- The account the key acts as (the actor of its changes in the audit log),
    -- shared by a key and the keys that rotated it.
    user_id       uuid NOT NULL REFERENCES users (id),
    name          text NOT NULL,
    prefix        text NOT NULL,
    secret_sha256 bytea NOT NULL,
    scopes        text[] NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    -- The key this one replaced by rotation.
    rotated_from  uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    last_used_from text,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_secret_check CHECK (length(secret_sha256) = 32),
    CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) BETWEEN 1 AND 16
        AND array_position(scopes, NULL) IS NULL)
);
CREATE INDEX api_keys_clinic_idx ON api_keys (clinic_id, created_at);
