DROP TABLE commerce_sales_reports;
DROP TABLE commerce_invoice_counters;
DROP TABLE commerce_invoice_lines;
DROP TABLE commerce_invoices;
DROP FUNCTION commerce_issued_invoice_is_final();
DROP TABLE commerce_stock_movements;
DROP TABLE commerce_payment_events;
DROP TABLE commerce_refunds;
DROP TABLE commerce_payments;
DROP TABLE commerce_order_lines;
DROP TABLE commerce_orders;
DROP TABLE commerce_cart_lines;
DROP TABLE commerce_tax_rates;
DROP TABLE commerce_products;
DROP TABLE commerce_categories;
DELETE FROM media WHERE purpose IN ('product_image', 'sales_report');
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export',
                       'chat_attachment', 'emergency_photo'));
