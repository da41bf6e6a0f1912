-- The values a batch stored.
SELECT count(*) FROM measure_values WHERE batch_id = ?
