-- A change to a clinic's weekly hours or exceptions, whoever writes it, also
-- updates the clinic's row: its row version (`xmin`) then names one state of
-- its hours, so a copy of them read at that version can be reused exactly until
-- the row moves (search's "open now" and availability keep such copies).
CREATE FUNCTION clinic_hours_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE clinics SET updated_at = now() WHERE id = OLD.clinic_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.clinic_id <> OLD.clinic_id) THEN
        UPDATE clinics SET updated_at = now() WHERE id = NEW.clinic_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER clinic_opening_hours_touch_clinic AFTER INSERT OR UPDATE OR DELETE ON clinic_opening_hours
    FOR EACH ROW EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_hours_exceptions_touch_clinic AFTER INSERT OR UPDATE OR DELETE ON clinic_hours_exceptions
    FOR EACH ROW EXECUTE FUNCTION clinic_hours_changed();
