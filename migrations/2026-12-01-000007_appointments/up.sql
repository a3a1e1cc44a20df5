-- Appointments: bookings that can never double-book a vet (or overfill a
-- room), their lifecycle, recurring series, the waitlist and its offers.

CREATE TABLE appointment_series (
    id              uuid PRIMARY KEY,
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    pet_id          uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    interval_weeks  integer NOT NULL,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT appointment_series_interval_check CHECK (interval_weeks BETWEEN 1 AND 52)
);

CREATE TABLE appointments (
    id                uuid PRIMARY KEY,
    clinic_id         uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    service_id        uuid NOT NULL REFERENCES clinic_services (id),
    vet_id            uuid NOT NULL REFERENCES users (id),
    pet_id            uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    -- The pet's primary owner when booked: who is notified and whose cap counts.
    owner_id          uuid NOT NULL REFERENCES users (id),
    booked_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    -- What the booking takes: [start - buffer before, end + buffer after).
    blocks            tstzrange NOT NULL,
    -- A room (and which of its `capacity` places) when the service needs one.
    room_id           uuid REFERENCES clinic_rooms (id),
    room_place        integer,
    status            text NOT NULL DEFAULT 'requested',
    -- Staff booked it over another appointment on purpose: not in the constraint.
    overbooked        boolean NOT NULL DEFAULT false,
    notes             text,
    cancel_reason     text,
    series_id         uuid REFERENCES appointment_series (id) ON DELETE SET NULL,
    -- Reminders sent, as `<hours>h@<start, epoch seconds>`: a moved appointment
    -- is reminded again, a re-run job is not.
    reminders_sent    text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT appointments_status_check CHECK (status IN
        ('requested', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
    CONSTRAINT appointments_time_check CHECK (ends_at > starts_at AND blocks @> tstzrange(starts_at, ends_at)),
    CONSTRAINT appointments_room_check CHECK ((room_id IS NULL) = (room_place IS NULL)),
    CONSTRAINT appointments_text_check CHECK (length(coalesce(notes, '')) <= 2000
        AND length(coalesce(cancel_reason, '')) <= 500),
    -- A vet is in one appointment at a time (cancelled and no-show ones free it).
    CONSTRAINT appointments_vet_no_overlap EXCLUDE USING gist (vet_id WITH =, blocks WITH &&)
        WHERE (status NOT IN ('cancelled', 'no_show') AND NOT overbooked),
    -- Each place of a room holds one appointment at a time.
    CONSTRAINT appointments_room_no_overlap EXCLUDE USING gist (room_id WITH =, room_place WITH =, blocks WITH &&)
        WHERE (room_id IS NOT NULL AND status NOT IN ('cancelled', 'no_show') AND NOT overbooked)
);
-- A vet's (or room's) bookings near a time: availability and booking read these.
CREATE INDEX appointments_vet_idx ON appointments (vet_id, starts_at);
CREATE INDEX appointments_room_idx ON appointments (room_id, starts_at) WHERE room_id IS NOT NULL;
CREATE INDEX appointments_owner_idx ON appointments (owner_id, starts_at);
CREATE INDEX appointments_pet_idx ON appointments (pet_id, starts_at);
CREATE INDEX appointments_clinic_idx ON appointments (clinic_id, starts_at);
CREATE INDEX appointments_series_idx ON appointments (series_id) WHERE series_id IS NOT NULL;
SELECT diesel_manage_updated_at('appointments');

-- Health records written during an appointment, attached when it completes.
CREATE TABLE appointment_records (
    appointment_id  uuid NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    record_id       uuid NOT NULL REFERENCES health_records (id) ON DELETE CASCADE,
    PRIMARY KEY (appointment_id, record_id)
);

-- Owners waiting for a slot of a service in a date window.
CREATE TABLE waitlist_entries (
    id          uuid PRIMARY KEY,
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    service_id  uuid NOT NULL REFERENCES clinic_services (id) ON DELETE CASCADE,
    vet_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    pet_id      uuid NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period      tstzrange NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT waitlist_entries_status_check CHECK (status IN ('waiting', 'offered', 'booked', 'left')),
    CONSTRAINT waitlist_entries_window_check CHECK (NOT isempty(period))
);
CREATE INDEX waitlist_entries_queue_idx ON waitlist_entries (service_id, created_at) WHERE status = 'waiting';
CREATE INDEX waitlist_entries_owner_idx ON waitlist_entries (owner_id, created_at);

-- A freed slot offered to the first in line for a limited time.
CREATE TABLE waitlist_offers (
    id          uuid PRIMARY KEY,
    entry_id    uuid NOT NULL REFERENCES waitlist_entries (id) ON DELETE CASCADE,
    vet_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT waitlist_offers_status_check CHECK (status IN ('open', 'accepted', 'expired'))
);
CREATE INDEX waitlist_offers_entry_idx ON waitlist_offers (entry_id);
