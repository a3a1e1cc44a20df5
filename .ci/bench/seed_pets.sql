-- Tops the bench database up to 100 000 pets with 1 000 000 health records
-- (10 each) and 300 000 weighings (3 each): the bench user (:'owner_email')
-- owns 100 of them, 999 other owners the rest. Run with psql -v owner_email=...
INSERT INTO users (id, clerk_id, email, role)
SELECT gen_random_uuid(), 'bench_owner_' || n, 'owner' || n || '@bench.example', 'pet_owner'
FROM generate_series(1, 999) AS n
ON CONFLICT DO NOTHING;

WITH owners AS (
    SELECT id, row_number() OVER (ORDER BY clerk_id) - 1 AS rank
    FROM users WHERE clerk_id LIKE 'bench_owner_%' OR email = :'owner_email'
), wanted AS (
    SELECT n FROM generate_series((SELECT count(*) FROM pets) + 1, 100000) AS n
)
INSERT INTO pets (id, primary_owner_id, name, species, breed, birth_date)
SELECT gen_random_uuid(), o.id, 'Pet ' || w.n, (ARRAY['dog', 'cat', 'rabbit', 'bird'])[1 + w.n % 4],
       'Mixed', date '2015-01-01' + (w.n % 3000)::int
FROM wanted w JOIN owners o ON o.rank = w.n % 1000;

INSERT INTO health_records (id, pet_id, kind, record_date, title, details, created_at)
SELECT gen_random_uuid(), p.id, 'note', date '2020-01-01' + ((r * 97 + abs(hashtext(p.id::text)::bigint)) % 2000)::int,
       'Check-up', jsonb_build_object('type', 'note', 'text', 'Healthy, weight stable.'), now() - interval '2 days'
FROM pets p CROSS JOIN generate_series(1, 10) AS r
WHERE NOT EXISTS (SELECT 1 FROM health_records h WHERE h.pet_id = p.id);

-- Each pet weighed three times over the last three years; the latest is
-- its current weight (the trigger on pet_weights keeps it).
INSERT INTO pet_weights (id, pet_id, measured_at, weight_kg)
SELECT gen_random_uuid(), p.id, now() - (r * 365 + abs(hashtext(p.id::text)::bigint) % 300) * interval '1 day',
       round((2 + abs(hashtext(p.id::text)::bigint) % 40 + r * 0.25)::numeric, 3)
FROM pets p CROSS JOIN generate_series(1, 3) AS r
WHERE NOT EXISTS (SELECT 1 FROM pet_weights w WHERE w.pet_id = p.id);

ANALYZE users;
ANALYZE pets;
ANALYZE health_records;
ANALYZE pet_weights;
