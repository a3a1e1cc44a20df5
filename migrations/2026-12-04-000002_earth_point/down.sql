DROP FUNCTION earth_point(double precision, double precision);
