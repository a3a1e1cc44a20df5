DROP INDEX appointments_holding_idx;
CREATE INDEX appointments_holding_idx ON appointments (vet_id, starts_at)
    WHERE status IN ('requested', 'confirmed', 'checked_in', 'in_progress') AND NOT overbooked;
