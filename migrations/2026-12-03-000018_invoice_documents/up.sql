-- An issued invoice's PDF is rendered once and stored through media; the
-- owner's email carries it. Setting the document does not change the
-- invoice (the finality trigger compares everything but it).
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export',
                       'chat_attachment', 'emergency_photo', 'product_image', 'sales_report', 'invoice'));

ALTER TABLE commerce_invoices ADD COLUMN media_id uuid REFERENCES media (id) ON DELETE SET NULL;
