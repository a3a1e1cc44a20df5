-- A point on earthdistance's sphere, as `ll_to_earth` computes it, typed as
-- a plain cube. `ll_to_earth` returns the `earth` domain, so Postgres cannot
-- inline it: each statement calls it as a SQL function, which parses and
-- plans its body again (about half the database time of a nearest-clinic
-- page). This one is inlined into the query, and works with the same
-- `location` indexes (`<->`, `@>` and `cube_enlarge` take cubes). Not STRICT:
-- a strict function is inlined only if its body is, and `earth()` is not.
CREATE FUNCTION earth_point(latitude double precision, longitude double precision)
RETURNS cube LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN cube(cube(cube(earth() * cos(radians(latitude)) * cos(radians(longitude))),
                 earth() * cos(radians(latitude)) * sin(radians(longitude))),
            earth() * sin(radians(latitude)));
