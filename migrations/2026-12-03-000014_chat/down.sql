DROP FUNCTION chat_prepare_partitions(integer);
DROP TABLE chat_message_keys;
DROP TABLE chat_messages;
DROP TABLE chat_participants;
DROP TABLE chat_conversations;
DELETE FROM media WHERE purpose = 'chat_attachment';
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export'));
