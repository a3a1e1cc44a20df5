-- Tops the bench database up to :count active clinics spread over France
-- (about 550 000 km², so 50 000 clinics put ~90 within 25 km of Paris), each
-- with weekday hours and a consultation. Run with psql -v count=N.
INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency)
SELECT gen_random_uuid(), 'Bench clinic ' || n, n || ' rue du Banc', 'Ville ' || (n % 700), 'FR',
       42.5 + random() * 8.5, -4.5 + random() * 12.5, 'Europe/Paris', 'EUR'
FROM generate_series((SELECT count(*) FROM clinics WHERE name LIKE 'Bench clinic %') + 1, :count) AS n;

INSERT INTO clinic_opening_hours (clinic_id, weekday, opens, closes)
SELECT c.id, d, '08:30', '19:00'
FROM clinics c CROSS JOIN generate_series(1, 6) AS d
WHERE c.name LIKE 'Bench clinic %'
ON CONFLICT DO NOTHING;

INSERT INTO clinic_services (id, clinic_id, kind, name, duration_minutes, price, currency)
SELECT gen_random_uuid(), c.id, 'consultation', 'Consultation', 30, 45.00, 'EUR'
FROM clinics c
WHERE c.name LIKE 'Bench clinic %' AND NOT EXISTS (SELECT 1 FROM clinic_services s WHERE s.clinic_id = c.id);

-- Writing the hours moved each clinic's row once (the hours trigger): vacuumed,
-- as autovacuum would leave a table at rest.
VACUUM ANALYZE clinics;
ANALYZE clinic_opening_hours;
ANALYZE clinic_services;
