DROP INDEX vet_time_off_clinic_idx;
ALTER TABLE vet_time_off DROP CONSTRAINT vet_time_off_no_overlap;
DELETE FROM vet_time_off WHERE clinic_id IS NOT NULL;
ALTER TABLE vet_time_off DROP COLUMN clinic_id;
ALTER TABLE vet_time_off ADD CONSTRAINT vet_time_off_no_overlap EXCLUDE USING gist (vet_id WITH =, period WITH &&);
