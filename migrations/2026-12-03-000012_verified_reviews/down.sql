ALTER TABLE clinics DROP CONSTRAINT clinics_rating_verified_count_check;
ALTER TABLE clinics DROP COLUMN rating_verified_count, DROP COLUMN refuse_unverified_reviews;
ALTER TABLE reviews DROP COLUMN verified_visit;
DROP TABLE clinic_visits;
