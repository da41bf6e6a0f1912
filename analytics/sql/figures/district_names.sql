-- The force's districts in name order.
SELECT name FROM ref_districts ORDER BY name
