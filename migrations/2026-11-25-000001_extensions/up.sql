-- Extensions later areas rely on:
--   btree_gist     exclusion constraints mixing `=` on ids with `&&` on time ranges
--                  (an appointment can never double-book a vet);
--   pg_trgm        fuzzy text search over clinic, vet and pet names;
--   cube +         great-circle distance and an indexable bounding box for
--   earthdistance  "clinics near me" without PostGIS.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
