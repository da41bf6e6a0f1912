-- Live values already loaded for the staged rows' measure, period and area (any source): the rows a load would
-- replace, with the batch holding each. {staged} is a fixed staged-table name (analytics.measures.storing).
SELECT f.batch_id, b.file_name, s.measure, s.period, s.district, s.source_row
FROM {staged} s
JOIN measure_values f
  ON f.measure = s.measure AND f.period = s.period AND f.district IS NOT DISTINCT FROM s.district
JOIN batches b ON b.id = f.batch_id
WHERE f.replaced_by IS NULL
ORDER BY s.source_row, f.batch_id
