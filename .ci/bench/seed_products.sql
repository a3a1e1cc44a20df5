-- 100 000 products over the bench's clinics (1 000 of them at the bench
-- clinic), named from a small vocabulary so a word matches a realistic share,
-- and the product the checkout bench buys (a billion in stock, taxed at 20%).
WITH vocabulary AS (
    SELECT ARRAY['senior', 'puppy', 'kitten', 'adult', 'grain-free', 'salmon', 'chicken', 'lamb', 'dental',
                 'joint', 'hypoallergenic', 'indoor', 'weight', 'renal', 'urinary', 'sensitive'] AS adjectives,
           ARRAY['kibble', 'wet food', 'treats', 'shampoo', 'collar', 'leash', 'toy', 'brush', 'bed', 'litter',
                 'flea spray', 'chews', 'bowl', 'harness', 'vitamins', 'carrier'] AS nouns
), clinics AS (
    SELECT array_agg(id ORDER BY id) AS ids
    FROM clinics WHERE id <> '00000000-0000-7000-8000-00000000c0de'
)
INSERT INTO commerce_products (id, clinic_id, sku, name, description, species, price, tax_class, stock_quantity)
SELECT gen_random_uuid(),
       CASE WHEN n % 100 = 0 THEN '00000000-0000-7000-8000-00000000c0de'::uuid
            ELSE c.ids[1 + n % array_length(c.ids, 1)] END,
       'SKU-' || n,
       initcap(v.adjectives[1 + n % 16]) || ' ' || v.nouns[1 + (n / 16) % 16] || ' ' || (n % 7 + 1) || ' kg',
       'For ' || v.adjectives[1 + (n / 7) % 16] || ' pets: ' || v.nouns[1 + (n / 3) % 16] || ' made in France.',
       CASE n % 3 WHEN 0 THEN ARRAY['dog'] WHEN 1 THEN ARRAY['cat'] ELSE ARRAY[]::text[] END,
       round((3 + (n % 9700) / 100.0)::numeric, 2), (ARRAY['standard', 'reduced'])[1 + n % 2], n % 50
FROM generate_series(1, 100000) AS n
CROSS JOIN vocabulary v
CROSS JOIN clinics c;

INSERT INTO commerce_products (id, clinic_id, sku, name, price, tax_class, stock_quantity)
VALUES ('00000000-0000-7000-8000-00000000b0b0', '00000000-0000-7000-8000-00000000c0de', 'BENCH-CHECKOUT',
        'Bench kibble', 24.90, 'standard', 1000000000);
INSERT INTO commerce_tax_rates (clinic_id, tax_class, rate)
VALUES ('00000000-0000-7000-8000-00000000c0de', 'standard', 0.2), ('00000000-0000-7000-8000-00000000c0de', 'reduced', 0.055);

ANALYZE commerce_products;
