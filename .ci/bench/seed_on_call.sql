-- 10 000 vets on call around Paris for the routing bench: each a veterinarian
-- of one of the 500 bench clinics nearest Paris, working there every day
-- around the clock (so nearest-available finds slots), and on call from an
-- hour ago for twelve hours within 30 km of the clinic, for a radius of 5 to
-- 30 km. Run once, after seed_clinics.sql.
CREATE TEMP TABLE near_paris AS
SELECT id, latitude, longitude, row_number() OVER (ORDER BY location <-> ll_to_earth(48.8566, 2.3522)) - 1 AS rank
FROM clinics WHERE name LIKE 'Bench clinic %'
ORDER BY location <-> ll_to_earth(48.8566, 2.3522) LIMIT 500;

INSERT INTO users (id, clerk_id, email, role)
SELECT gen_random_uuid(), 'bench_oncall_' || n, 'oncall' || n || '@bench.example', 'veterinarian'
FROM generate_series(1, 10000) AS n;

CREATE TEMP TABLE on_call_vets AS
SELECT u.id AS vet_id, c.id AS clinic_id, c.latitude, c.longitude
FROM users u
JOIN near_paris c ON c.rank = substr(u.clerk_id, 14)::int % 500
WHERE u.clerk_id LIKE 'bench_oncall_%';

INSERT INTO vets (user_id, display_name) SELECT vet_id, 'Dr On Call' FROM on_call_vets;
INSERT INTO clinic_memberships (clinic_id, user_id, role) SELECT clinic_id, vet_id, 'veterinarian' FROM on_call_vets;
INSERT INTO vet_working_hours (vet_id, clinic_id, weekday, starts, ends)
SELECT vet_id, clinic_id, d, '00:00', '00:00' FROM on_call_vets CROSS JOIN generate_series(1, 7) AS d;

INSERT INTO emergency_on_call (id, vet_id, clinic_id, kind, period, latitude, longitude, radius_km)
SELECT gen_random_uuid(), vet_id, clinic_id, 'shift',
       tstzrange(now() - interval '1 hour', now() + interval '12 hours'),
       latitude + (random() - 0.5) * 0.54, longitude + (random() - 0.5) * 0.8, 5 + random() * 25
FROM on_call_vets;

ANALYZE users;
ANALYZE clinic_memberships;
ANALYZE vet_working_hours;
ANALYZE emergency_on_call;
