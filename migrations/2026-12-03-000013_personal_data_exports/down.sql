DROP TABLE personal_data_exports;
DELETE FROM media WHERE purpose = 'personal_data_export';
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo'));
