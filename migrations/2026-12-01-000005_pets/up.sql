-- Pets and health records: profiles, households, care relationships with
-- clinics, weights, typed health records with addenda, reminders.

CREATE TABLE pets (
    id                    uuid PRIMARY KEY,
    primary_owner_id      uuid NOT NULL REFERENCES users (id),
    name                  text NOT NULL,
    species               text NOT NULL,
    breed                 text,
    sex                   text NOT NULL DEFAULT 'unknown',
    neuter_status         text NOT NULL DEFAULT 'unknown',
    birth_date            date,
    birth_date_estimated  boolean NOT NULL DEFAULT false,
    colour                text,
    -- ISO 11784/11785: 15 digits; unique among pets that have one.
    microchip             text,
    insurance_reference   text,
    -- Typed in Rust (pets::api::Alert): allergies and alerts with severity.
    alerts                jsonb NOT NULL DEFAULT '[]',
    -- The owner's own notes (clinic-internal notes live on health records).
    medical_notes         text NOT NULL DEFAULT '',
    deceased_on           date,
    -- Soft delete: the records stay for the clinics that wrote them.
    is_active             boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pets_species_check
        CHECK (species IN ('dog', 'cat', 'rabbit', 'bird', 'reptile', 'horse', 'small_mammal', 'other')),
    CONSTRAINT pets_sex_check CHECK (sex IN ('male', 'female', 'unknown')),
    CONSTRAINT pets_neuter_status_check CHECK (neuter_status IN ('intact', 'neutered', 'unknown')),
    CONSTRAINT pets_microchip_check CHECK (microchip IS NULL OR microchip ~ '^[0-9]{15}$'),
    CONSTRAINT pets_text_check CHECK (length(name) BETWEEN 1 AND 100 AND length(coalesce(breed, '')) <= 100
        AND length(coalesce(colour, '')) <= 100 AND length(coalesce(insurance_reference, '')) <= 100
        AND length(medical_notes) <= 5000 AND jsonb_typeof(alerts) = 'array'),
    CONSTRAINT pets_dates_check CHECK (deceased_on IS NULL OR birth_date IS NULL OR deceased_on >= birth_date)
);
CREATE UNIQUE INDEX pets_microchip_key ON pets (microchip) WHERE microchip IS NOT NULL;
-- The owner's list, newest first.
CREATE INDEX pets_owner_idx ON pets (primary_owner_id, id DESC);
CREATE INDEX pets_name_trgm_idx ON pets USING gin (name gin_trgm_ops);
SELECT diesel_manage_updated_at('pets');

-- Co-owners share the pet with its primary owner.
CREATE TABLE pet_co_owners (
    pet_id      uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pet_id, user_id)
);
CREATE INDEX pet_co_owners_user_idx ON pet_co_owners (user_id, pet_id DESC);

-- An invitation to co-own a pet, addressed to a user id or an email, accepted
-- by its addressee. Whether the account exists is never revealed.
CREATE TABLE pet_invitations (
    id          uuid PRIMARY KEY,
    pet_id      uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    user_id     uuid,
    email       text,
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT pet_invitations_addressee_check CHECK ((user_id IS NULL) <> (email IS NULL)),
    CONSTRAINT pet_invitations_email_check CHECK (email IS NULL OR (email = lower(email) AND length(email) <= 254))
);
CREATE UNIQUE INDEX pet_invitations_user_key ON pet_invitations (pet_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX pet_invitations_email_key ON pet_invitations (pet_id, email) WHERE email IS NOT NULL;
CREATE INDEX pet_invitations_user_idx ON pet_invitations (user_id);
CREATE INDEX pet_invitations_email_idx ON pet_invitations (email);

-- A care relationship: staff of the clinic may see the pet and write its
-- records. The owner registers the pet with a clinic; a booking adds one too.
CREATE TABLE pet_care (
    pet_id      uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    source      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pet_id, clinic_id),
    CONSTRAINT pet_care_source_check CHECK (source IN ('registration', 'appointment'))
);
CREATE INDEX pet_care_clinic_idx ON pet_care (clinic_id, pet_id);

-- Weight history, stored in kilograms whatever unit was entered.
CREATE TABLE pet_weights (
    id           uuid PRIMARY KEY,
    pet_id       uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    measured_at  timestamptz NOT NULL,
    weight_kg    numeric(8, 3) NOT NULL,
    recorded_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pet_weights_check CHECK (weight_kg > 0 AND weight_kg <= 2000)
);
CREATE INDEX pet_weights_pet_idx ON pet_weights (pet_id, measured_at DESC, id DESC);

-- Typed health records; `details` is the kind's own shape (pets::records).
-- A record locks 24 hours after it was created: later changes are addenda.
CREATE TABLE health_records (
    id           uuid PRIMARY KEY,
    pet_id       uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    record_date  date NOT NULL,
    title        text NOT NULL,
    details      jsonb NOT NULL,
    -- Shown to clinic staff only, never to owners.
    staff_note   text,
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The clinic the author wrote for; NULL when an owner wrote it.
    clinic_id    uuid REFERENCES clinics (id) ON DELETE SET NULL,
    -- For vaccinations and medications: when the next one is due, and whether
    -- the species' protocol suggested it.
    next_due     date,
    next_due_suggested boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT health_records_kind_check CHECK (kind IN
        ('vaccination', 'medication', 'examination', 'lab_result', 'procedure', 'allergy', 'note')),
    CONSTRAINT health_records_text_check CHECK (length(title) BETWEEN 1 AND 200
        AND length(coalesce(staff_note, '')) <= 5000 AND jsonb_typeof(details) = 'object')
);
-- The timeline: newest record date first, by kind or not.
CREATE INDEX health_records_timeline_idx ON health_records (pet_id, record_date DESC, id DESC);
CREATE INDEX health_records_kind_idx ON health_records (pet_id, kind, record_date DESC, id DESC);
SELECT diesel_manage_updated_at('health_records');

CREATE TABLE health_record_addenda (
    id          uuid PRIMARY KEY,
    record_id   uuid NOT NULL REFERENCES health_records (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT health_record_addenda_check CHECK (length(body) BETWEEN 1 AND 5000)
);
CREATE INDEX health_record_addenda_record_idx ON health_record_addenda (record_id, id);

-- Care coming due (a vaccination or medication's next date). Each stage
-- (before, on the day, overdue) is a job keyed by the reminder and stage; a
-- dismissed, cancelled or snoozed reminder makes its jobs no-ops.
CREATE TABLE pet_reminders (
    id             uuid PRIMARY KEY,
    pet_id         uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    record_id      uuid NOT NULL REFERENCES health_records (id) ON DELETE CASCADE,
    kind           text NOT NULL,
    -- The vaccine or drug, compared case-insensitively.
    subject        text NOT NULL,
    due_on         date NOT NULL,
    status         text NOT NULL DEFAULT 'pending',
    snoozed_until  timestamptz,
    last_sent_at   timestamptz,
    -- Stages already sent, so a re-run job sends nothing twice.
    sent_stages    text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pet_reminders_kind_check CHECK (kind IN ('vaccination', 'medication')),
    CONSTRAINT pet_reminders_status_check CHECK (status IN ('pending', 'dismissed', 'cancelled', 'done'))
);
CREATE INDEX pet_reminders_pet_idx ON pet_reminders (pet_id, due_on, id);
CREATE INDEX pet_reminders_subject_idx ON pet_reminders (pet_id, kind, lower(subject)) WHERE status = 'pending';
SELECT diesel_manage_updated_at('pet_reminders');
