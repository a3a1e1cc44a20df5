-- Emergency: vets on call, cases routed to the nearest of them, the offers
-- each case made, and what came of it.

-- A vet who accepts an emergency case gets care access to the pet for it.
ALTER TABLE pet_care DROP CONSTRAINT pet_care_source_check;
ALTER TABLE pet_care ADD CONSTRAINT pet_care_source_check
    CHECK (source IN ('registration', 'appointment', 'emergency'));

-- A photo of the pet can come with an emergency request.
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export',
                       'chat_attachment', 'emergency_photo'));

-- When and where a vet takes emergencies for a clinic: a shift declared ahead
-- (at the clinic's location) or "available now" (where the vet is). A vet is
-- never on call twice at once.
CREATE TABLE emergency_on_call (
    id          uuid PRIMARY KEY,
    vet_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    period      tstzrange NOT NULL,
    latitude    double precision NOT NULL,
    longitude   double precision NOT NULL,
    location    earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED,
    -- How far from `location` the vet goes.
    radius_km   double precision NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT emergency_on_call_kind_check CHECK (kind IN ('shift', 'available_now')),
    CONSTRAINT emergency_on_call_period_check
        CHECK (NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)),
    CONSTRAINT emergency_on_call_location_check
        CHECK (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180),
    CONSTRAINT emergency_on_call_radius_check CHECK (radius_km > 0 AND radius_km <= 500),
    CONSTRAINT emergency_on_call_overlap EXCLUDE USING gist (vet_id WITH =, period WITH &&)
);
-- Routing: who is on call now near a point, nearest first.
CREATE INDEX emergency_on_call_routing_idx ON emergency_on_call USING gist (location, period);
CREATE INDEX emergency_on_call_clinic_idx ON emergency_on_call (clinic_id, upper(period));

CREATE TABLE emergency_cases (
    id                  uuid PRIMARY KEY,
    pet_id              uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    -- The pet's primary owner when the case was opened.
    owner_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    latitude            double precision NOT NULL,
    longitude           double precision NOT NULL,
    location            earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED,
    description         text NOT NULL,
    -- The structured answers (breathing, bleeding, conscious, toxin, trauma) and symptoms.
    triage              jsonb NOT NULL,
    triage_level        smallint NOT NULL,
    photo_id            uuid REFERENCES media (id) ON DELETE SET NULL,
    status              text NOT NULL,
    -- The search radius of the current round, and the round (batch of offers).
    search_radius_km    double precision NOT NULL,
    round               integer NOT NULL DEFAULT 0,
    accepted_vet_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    accepted_clinic_id  uuid REFERENCES clinics (id) ON DELETE SET NULL,
    accepted_at         timestamptz,
    conversation_id     uuid REFERENCES chat_conversations (id) ON DELETE SET NULL,
    outcome             text,
    -- The nearest emergency clinics open now, sent when no vet accepted.
    fallback            jsonb,
    closed_at           timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT emergency_cases_status_check CHECK (status IN
        ('open', 'offered', 'accepted', 'en_route', 'at_clinic', 'resolved', 'cancelled', 'expired')),
    CONSTRAINT emergency_cases_triage_level_check CHECK (triage_level BETWEEN 1 AND 4),
    CONSTRAINT emergency_cases_location_check
        CHECK (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180),
    CONSTRAINT emergency_cases_description_check CHECK (length(description) BETWEEN 1 AND 2000),
    CONSTRAINT emergency_cases_outcome_check CHECK (length(coalesce(outcome, '')) <= 2000)
);
-- One open case per pet: a second request answers 409 with the open one.
CREATE UNIQUE INDEX emergency_cases_open_pet_idx ON emergency_cases (pet_id)
    WHERE status IN ('open', 'offered', 'accepted', 'en_route', 'at_clinic');
CREATE INDEX emergency_cases_owner_idx ON emergency_cases (owner_id, created_at DESC);
-- A vet with an active case is busy.
CREATE INDEX emergency_cases_active_vet_idx ON emergency_cases (accepted_vet_id)
    WHERE status IN ('accepted', 'en_route', 'at_clinic');
CREATE INDEX emergency_cases_clinic_idx ON emergency_cases (accepted_clinic_id, created_at)
    WHERE accepted_clinic_id IS NOT NULL;
CREATE INDEX emergency_cases_created_idx ON emergency_cases (created_at);
SELECT diesel_manage_updated_at('emergency_cases');

-- Each vet a case was offered to, once per case.
CREATE TABLE emergency_offers (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES emergency_cases (id) ON DELETE CASCADE,
    vet_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The clinic the vet was on call for.
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    round           integer NOT NULL,
    distance_km     double precision NOT NULL,
    status          text NOT NULL DEFAULT 'pending',
    decline_reason  text,
    offered_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    CONSTRAINT emergency_offers_status_check
        CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')),
    CONSTRAINT emergency_offers_reason_check CHECK (length(coalesce(decline_reason, '')) <= 500),
    CONSTRAINT emergency_offers_once UNIQUE (case_id, vet_id)
);
CREATE INDEX emergency_offers_pending_vet_idx ON emergency_offers (vet_id) WHERE status = 'pending';
CREATE INDEX emergency_offers_vet_idx ON emergency_offers (vet_id, offered_at DESC);
CREATE INDEX emergency_offers_clinic_idx ON emergency_offers (clinic_id, offered_at);
