-- Clinics and veterinarians: profiles, staff, services and rooms, schedules,
-- geographic search, reviews.

CREATE TABLE clinics (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL,
    description          text NOT NULL DEFAULT '',
    phone                text,
    email                text,
    website              text,
    address_line1        text NOT NULL,
    address_line2        text,
    city                 text NOT NULL,
    region               text,
    postal_code          text,
    country              text NOT NULL,
    latitude             double precision NOT NULL,
    longitude            double precision NOT NULL,
    -- The point on the earth's surface (earthdistance), computed once per write
    -- rather than per row of every search.
    location             earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED,
    -- IANA zone: opening hours, schedules and "open now" are read in it.
    time_zone            text NOT NULL,
    currency             text NOT NULL,
    emergency_capable    boolean NOT NULL DEFAULT false,
    open_24_7            boolean NOT NULL DEFAULT false,
    -- Owners may cancel or move an appointment until this many hours before it.
    cancellation_notice_hours integer NOT NULL DEFAULT 24,
    emergency_status     text NOT NULL DEFAULT 'accepting',
    emergency_note       text,
    emergency_status_at  timestamptz,
    -- Kept in step with visible reviews, in the review's transaction.
    rating_count         integer NOT NULL DEFAULT 0,
    rating_sum           integer NOT NULL DEFAULT 0,
    -- Reviews with 1..5 stars.
    rating_distribution  integer[] NOT NULL DEFAULT '{0,0,0,0,0}',
    is_active            boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinics_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT clinics_description_check CHECK (length(description) <= 5000),
    CONSTRAINT clinics_phone_check CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT clinics_email_check CHECK (email IS NULL OR (length(email) <= 254 AND email LIKE '%_@_%')),
    CONSTRAINT clinics_website_check CHECK (website IS NULL OR (length(website) <= 500 AND website ~ '^https?://')),
    CONSTRAINT clinics_country_check CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT clinics_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT clinics_location_check CHECK (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180),
    CONSTRAINT clinics_cancellation_notice_check CHECK (cancellation_notice_hours BETWEEN 0 AND 336),
    CONSTRAINT clinics_emergency_status_check CHECK (emergency_status IN ('accepting', 'limited', 'diverting')),
    CONSTRAINT clinics_rating_check CHECK (rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count
                                           AND cardinality(rating_distribution) = 5)
);
-- "Near me": a GiST index over the point, used both for the radius box and for
-- nearest-first (KNN) ordering.
CREATE INDEX clinics_location_idx ON clinics USING gist (location) WHERE is_active;
-- Fuzzy text search over names and cities.
CREATE INDEX clinics_name_trgm_idx ON clinics USING gin (name gin_trgm_ops);
CREATE INDEX clinics_city_trgm_idx ON clinics USING gin (city gin_trgm_ops);
SELECT diesel_manage_updated_at('clinics');

-- Weekly opening hours, local wall-clock time; ISO weekday 1 = Monday.
CREATE TABLE clinic_opening_hours (
    clinic_id  uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    weekday    smallint NOT NULL,
    opens      time NOT NULL,
    closes     time NOT NULL,
    PRIMARY KEY (clinic_id, weekday, opens),
    -- closes <= opens: the interval ends the next day (overnight).
    CONSTRAINT clinic_opening_hours_check CHECK (weekday BETWEEN 1 AND 7)
);

-- Dated exceptions (holidays, special hours): the rows of a date replace the
-- weekly intervals starting that day; a row without times means closed.
CREATE TABLE clinic_hours_exceptions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id  uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    on_date    date NOT NULL,
    opens      time,
    closes     time,
    note       text,
    CONSTRAINT clinic_hours_exceptions_key UNIQUE NULLS NOT DISTINCT (clinic_id, on_date, opens),
    CONSTRAINT clinic_hours_exceptions_check CHECK ((opens IS NULL) = (closes IS NULL))
);

-- Staff: a user may work at several clinics, with one clinic role at each.
CREATE TABLE clinic_memberships (
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, user_id),
    CONSTRAINT clinic_memberships_role_check CHECK (role IN ('veterinarian', 'receptionist', 'clinic_admin'))
);
CREATE INDEX clinic_memberships_user_idx ON clinic_memberships (user_id);

-- Invitations to join a clinic's staff, for an email without an account yet;
-- the invitee accepts once signed up with that email.
CREATE TABLE clinic_invitations (
    id          uuid PRIMARY KEY,
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL,
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT clinic_invitations_key UNIQUE (clinic_id, email),
    CONSTRAINT clinic_invitations_email_check CHECK (email = lower(email) AND length(email) <= 254),
    CONSTRAINT clinic_invitations_role_check CHECK (role IN ('veterinarian', 'receptionist', 'clinic_admin'))
);
CREATE INDEX clinic_invitations_email_idx ON clinic_invitations (email);

-- Rooms and equipment, booked together with a vet by later scheduling.
CREATE TABLE clinic_rooms (
    id         uuid PRIMARY KEY,
    clinic_id  uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    name       text NOT NULL,
    capacity   integer NOT NULL DEFAULT 1,
    CONSTRAINT clinic_rooms_name_key UNIQUE (clinic_id, name),
    CONSTRAINT clinic_rooms_check CHECK (length(name) BETWEEN 1 AND 100 AND capacity BETWEEN 1 AND 100)
);

CREATE TABLE clinic_services (
    id                     uuid PRIMARY KEY,
    clinic_id              uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    kind                   text NOT NULL,
    name                   text NOT NULL,
    duration_minutes       integer NOT NULL,
    buffer_before_minutes  integer NOT NULL DEFAULT 0,
    buffer_after_minutes   integer NOT NULL DEFAULT 0,
    price                  numeric(10, 2) NOT NULL,
    currency               text NOT NULL,
    -- Empty: every species.
    species                text[] NOT NULL DEFAULT '{}',
    bookable_online        boolean NOT NULL DEFAULT true,
    -- Staff may book it over another appointment on purpose.
    allows_overbooking     boolean NOT NULL DEFAULT false,
    is_active              boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinic_services_kind_check
        CHECK (kind IN ('consultation', 'vaccination', 'dental', 'surgery', 'grooming', 'diagnostics', 'emergency', 'other')),
    CONSTRAINT clinic_services_check CHECK (length(name) BETWEEN 1 AND 200 AND duration_minutes BETWEEN 5 AND 720
        AND buffer_before_minutes BETWEEN 0 AND 240 AND buffer_after_minutes BETWEEN 0 AND 240
        AND price >= 0 AND currency ~ '^[A-Z]{3}$')
);
CREATE INDEX clinic_services_clinic_idx ON clinic_services (clinic_id) WHERE is_active;
CREATE INDEX clinic_services_name_trgm_idx ON clinic_services USING gin (name gin_trgm_ops);

-- Who and what can perform a service.
CREATE TABLE clinic_service_staff (
    service_id  uuid NOT NULL REFERENCES clinic_services (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, user_id)
);
CREATE TABLE clinic_service_rooms (
    service_id  uuid NOT NULL REFERENCES clinic_services (id) ON DELETE CASCADE,
    room_id     uuid NOT NULL REFERENCES clinic_rooms (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, room_id)
);

-- A veterinarian's public profile (one per user).
CREATE TABLE vets (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    display_name    text NOT NULL,
    bio             text NOT NULL DEFAULT '',
    license_number  text,
    license_region  text,
    specialties     text[] NOT NULL DEFAULT '{}',
    languages       text[] NOT NULL DEFAULT '{}',
    on_call         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vets_check CHECK (length(display_name) BETWEEN 1 AND 200 AND length(bio) <= 5000
        AND cardinality(specialties) <= 20 AND cardinality(languages) <= 20)
);
CREATE INDEX vets_name_trgm_idx ON vets USING gin (display_name gin_trgm_ops);
CREATE INDEX vets_specialties_idx ON vets USING gin (specialties);
SELECT diesel_manage_updated_at('vets');

-- Weekly working hours per clinic, in that clinic's local time.
CREATE TABLE vet_working_hours (
    vet_id     uuid NOT NULL REFERENCES vets (user_id) ON DELETE CASCADE,
    clinic_id  uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    weekday    smallint NOT NULL,
    starts     time NOT NULL,
    ends       time NOT NULL,
    PRIMARY KEY (vet_id, clinic_id, weekday, starts),
    -- ends <= starts: a night shift ending the next day.
    CONSTRAINT vet_working_hours_check CHECK (weekday BETWEEN 1 AND 7)
);

CREATE TABLE vet_time_off (
    id         uuid PRIMARY KEY,
    vet_id     uuid NOT NULL REFERENCES vets (user_id) ON DELETE CASCADE,
    period     tstzrange NOT NULL,
    reason     text,
    CONSTRAINT vet_time_off_check CHECK (NOT isempty(period) AND length(coalesce(reason, '')) <= 500),
    CONSTRAINT vet_time_off_no_overlap EXCLUDE USING gist (vet_id WITH =, period WITH &&)
);

CREATE TABLE reviews (
    id            uuid PRIMARY KEY,
    clinic_id     uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    vet_id        uuid REFERENCES vets (user_id) ON DELETE SET NULL,
    author_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating        smallint NOT NULL,
    body          text NOT NULL DEFAULT '',
    response      text,
    responded_at  timestamptz,
    flagged       boolean NOT NULL DEFAULT false,
    flag_reason   text,
    hidden        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reviews_one_per_author UNIQUE (clinic_id, author_id),
    CONSTRAINT reviews_check CHECK (rating BETWEEN 1 AND 5 AND length(body) <= 2000
        AND length(coalesce(response, '')) <= 2000)
);
CREATE INDEX reviews_clinic_idx ON reviews (clinic_id, id DESC) WHERE NOT hidden;
SELECT diesel_manage_updated_at('reviews');

-- The opening intervals that start on local date `day`: the day's exception if
-- there is one (none when closed), else the weekly intervals of its weekday.
CREATE FUNCTION clinic_intervals(clinic uuid, day date)
RETURNS TABLE (opens time, closes time) LANGUAGE sql STABLE AS $$
    SELECT e.opens, e.closes FROM clinic_hours_exceptions e
     WHERE e.clinic_id = clinic AND e.on_date = day AND e.opens IS NOT NULL
    UNION ALL
    SELECT h.opens, h.closes FROM clinic_opening_hours h
     WHERE h.clinic_id = clinic AND h.weekday = extract(isodow FROM day)
       AND NOT EXISTS (SELECT 1 FROM clinic_hours_exceptions e WHERE e.clinic_id = clinic AND e.on_date = day)
$$;

-- Whether a clinic is open at `at`, in its own time zone (DST is the zone
-- conversion's job): an interval starting today covers the time, or an
-- overnight interval that started yesterday has not closed yet. PL/pgSQL, so
-- each session plans its queries once, however many rows a search checks.
CREATE FUNCTION clinic_is_open(clinic uuid, zone text, always_open boolean, at timestamptz)
RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    here timestamp := at AT TIME ZONE zone;
BEGIN
    RETURN always_open
        OR EXISTS (SELECT 1 FROM clinic_intervals(clinic, here::date) i
                   WHERE here::time >= i.opens AND (i.closes <= i.opens OR here::time < i.closes))
        OR EXISTS (SELECT 1 FROM clinic_intervals(clinic, here::date - 1) i
                   WHERE i.closes <= i.opens AND here::time < i.closes);
END
$$;

-- Great-circle kilometres (haversine, mean earth radius), for `distance_km`.
CREATE FUNCTION distance_km(lat1 double precision, lng1 double precision,
                            lat2 double precision, lng2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(least(1, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2)))
$$;
