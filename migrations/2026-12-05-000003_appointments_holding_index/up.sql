-- The appointments that hold a vet's time (active, not overbooked): every
-- availability search and every booking reads the few of them near a slot,
-- where appointments_vet_idx also walks each day of completed ones. The
-- predicate is the one `availability::holding` writes out in its SQL (a plan
-- made for bound statuses could not use the index).
CREATE INDEX appointments_holding_idx ON appointments (vet_id, starts_at)
    WHERE status IN ('requested', 'confirmed', 'checked_in', 'in_progress') AND NOT overbooked;
