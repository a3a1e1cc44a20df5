DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
DROP TABLE appointment_records;
DROP TABLE appointments;
DROP TABLE appointment_series;
