-- A bench clinic open around the clock (UTC) with 20 vets working 24 hours a
-- day, a 15-minute consultation, the front-desk user (:'desk_email') on its
-- staff, one of the bench owner's (:'owner_email') pets as its patient, and
-- 1 000 000 past appointments (50 000 per vet). Run once on a fresh database.
INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency, open_24_7)
VALUES ('00000000-0000-7000-8000-00000000c0de', 'Bench appointments clinic', '1 Bench Road', 'Bench', 'FR',
        45.0, 5.0, 'UTC', 'EUR', true);

INSERT INTO users (id, clerk_id, email, role)
SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(v), 12, '0'))::uuid, 'bench_vet_' || v,
       'vet' || v || '@bench.example', 'veterinarian'
FROM generate_series(1, 20) AS v;

INSERT INTO vets (user_id, display_name)
SELECT id, 'Dr Bench ' || substr(clerk_id, 11) FROM users WHERE clerk_id LIKE 'bench_vet_%';

INSERT INTO clinic_memberships (clinic_id, user_id, role)
SELECT '00000000-0000-7000-8000-00000000c0de'::uuid, id, 'veterinarian' FROM users WHERE clerk_id LIKE 'bench_vet_%'
UNION ALL
SELECT '00000000-0000-7000-8000-00000000c0de'::uuid, id, 'receptionist' FROM users WHERE email = :'desk_email';

INSERT INTO vet_working_hours (vet_id, clinic_id, weekday, starts, ends)
SELECT u.id, '00000000-0000-7000-8000-00000000c0de', d, '00:00', '00:00'
FROM users u CROSS JOIN generate_series(1, 7) AS d WHERE u.clerk_id LIKE 'bench_vet_%';

INSERT INTO clinic_services (id, clinic_id, kind, name, duration_minutes, price, currency)
VALUES ('00000000-0000-7000-8000-0000005e4c1c', '00000000-0000-7000-8000-00000000c0de', 'consultation',
        'Bench consultation', 15, 30.00, 'EUR');

INSERT INTO pet_care (pet_id, clinic_id, source)
SELECT p.id, '00000000-0000-7000-8000-00000000c0de', 'registration'
FROM pets p JOIN users u ON u.id = p.primary_owner_id WHERE u.email = :'owner_email'
ORDER BY p.id LIMIT 1;

-- 50 000 consecutive quarter hours per vet, ending yesterday.
WITH vets AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE clerk_id LIKE 'bench_vet_%'
), patients AS (
    SELECT id, primary_owner_id, row_number() OVER (ORDER BY id) AS n FROM pets LIMIT 5000
), slots AS (
    SELECT v.id AS vet_id, v.n AS vet_n, s,
           date_trunc('day', now()) - interval '1 day' - s * interval '15 minutes' AS starts_at
    FROM vets v CROSS JOIN generate_series(1, 50000) AS s
)
INSERT INTO appointments (id, clinic_id, service_id, vet_id, pet_id, owner_id, starts_at, ends_at, blocks, status)
SELECT gen_random_uuid(), '00000000-0000-7000-8000-00000000c0de', '00000000-0000-7000-8000-0000005e4c1c',
       slots.vet_id, p.id, p.primary_owner_id, slots.starts_at, slots.starts_at + interval '15 minutes',
       tstzrange(slots.starts_at, slots.starts_at + interval '15 minutes'), 'completed'
FROM slots JOIN patients p ON p.n = 1 + (slots.s * 20 + slots.vet_n) % 5000;

ANALYZE appointments;
