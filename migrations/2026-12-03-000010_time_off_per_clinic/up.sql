-- Time off for one clinic (booked by its staff, or by the vet for that clinic)
-- or general (NULL: the vet is away from every clinic). A clinic's staff see
-- and manage their clinic's entries and read the general ones; entries for
-- other clinics are not theirs to see. Periods may overlap across clinics.
ALTER TABLE vet_time_off ADD COLUMN clinic_id uuid REFERENCES clinics (id) ON DELETE CASCADE;
ALTER TABLE vet_time_off DROP CONSTRAINT vet_time_off_no_overlap;
ALTER TABLE vet_time_off ADD CONSTRAINT vet_time_off_no_overlap EXCLUDE USING gist (
    vet_id WITH =,
    (coalesce(clinic_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
    period WITH &&
);
CREATE INDEX vet_time_off_clinic_idx ON vet_time_off (clinic_id) WHERE clinic_id IS NOT NULL;
