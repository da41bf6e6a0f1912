-- A rolled-back batch's own values go (those it replaced were restored first).
DELETE FROM measure_values WHERE batch_id = ?
