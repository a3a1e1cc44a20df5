DROP TABLE health_record_attachments;
ALTER TABLE vets DROP COLUMN photo_id;
ALTER TABLE clinics DROP COLUMN photo_id;
ALTER TABLE pets DROP COLUMN photo_id;
DROP TABLE media_variants;
DROP TABLE media;
