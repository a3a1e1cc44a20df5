DROP INDEX appointments_holding_idx;
