ALTER TABLE commerce_invoices DROP COLUMN media_id;
DELETE FROM media WHERE purpose = 'invoice';
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export',
                       'chat_attachment', 'emergency_photo', 'product_image', 'sales_report'));
