-- A change to a clinic's weekly hours or exceptions, whoever writes it, also
-- updates the clinic's row: its row version (`xmin`) then names one state of
-- its hours, so a copy of them read at that version can be reused exactly until
-- the row moves (search's "open now" and availability keep such copies).
-- Per statement, so a statement touches each clinic once however many of its
-- rows it writes (a transition table may serve one event only: three triggers
-- per table).
CREATE FUNCTION clinic_hours_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE clinics SET updated_at = now() WHERE id IN (SELECT clinic_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE clinics SET updated_at = now() WHERE id IN (SELECT clinic_id FROM old_rows);
    ELSE
        UPDATE clinics SET updated_at = now()
         WHERE id IN (SELECT clinic_id FROM old_rows UNION SELECT clinic_id FROM new_rows);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER clinic_opening_hours_inserted AFTER INSERT ON clinic_opening_hours
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_opening_hours_updated AFTER UPDATE ON clinic_opening_hours
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_opening_hours_deleted AFTER DELETE ON clinic_opening_hours
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_hours_exceptions_inserted AFTER INSERT ON clinic_hours_exceptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_hours_exceptions_updated AFTER UPDATE ON clinic_hours_exceptions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
CREATE TRIGGER clinic_hours_exceptions_deleted AFTER DELETE ON clinic_hours_exceptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION clinic_hours_changed();
