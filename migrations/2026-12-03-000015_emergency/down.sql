DROP TABLE emergency_offers;
DROP TABLE emergency_cases;
DROP TABLE emergency_on_call;
DELETE FROM pet_care WHERE source = 'emergency';
ALTER TABLE pet_care DROP CONSTRAINT pet_care_source_check;
ALTER TABLE pet_care ADD CONSTRAINT pet_care_source_check CHECK (source IN ('registration', 'appointment'));
DELETE FROM media WHERE purpose = 'emergency_photo';
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export', 'chat_attachment'));
