-- Reviews from real visits. A completed appointment records the owner's visit
-- (clinics::visits, called by scheduling); a review by someone who visited is
-- a verified one. A clinic either holds unverified reviews for moderation
-- (the default) or refuses them.
CREATE TABLE clinic_visits (
    clinic_id     uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_visit_at timestamptz NOT NULL,
    PRIMARY KEY (clinic_id, owner_id)
);
INSERT INTO clinic_visits (clinic_id, owner_id, last_visit_at)
    SELECT clinic_id, owner_id, max(ends_at) FROM appointments WHERE status = 'completed' GROUP BY 1, 2;

ALTER TABLE reviews ADD COLUMN verified_visit boolean NOT NULL DEFAULT false;
UPDATE reviews r SET verified_visit = true
    WHERE EXISTS (SELECT 1 FROM clinic_visits v WHERE v.clinic_id = r.clinic_id AND v.owner_id = r.author_id);

ALTER TABLE clinics
    ADD COLUMN rating_verified_count integer NOT NULL DEFAULT 0,
    ADD COLUMN refuse_unverified_reviews boolean NOT NULL DEFAULT false;
UPDATE clinics c SET rating_verified_count =
    (SELECT count(*) FROM reviews r WHERE r.clinic_id = c.id AND NOT r.hidden AND r.verified_visit);
ALTER TABLE clinics ADD CONSTRAINT clinics_rating_verified_count_check
    CHECK (rating_verified_count BETWEEN 0 AND rating_count);
