-- Rolling back batch $1: values it replaced come back, unless a later batch has since replaced this batch's value
-- of the same measure, period and area; then they stay replaced, by that later batch.
UPDATE measure_values t SET replaced_by = m.replacer
FROM (SELECT measure, period, district, any_value(replaced_by) AS replacer
      FROM measure_values WHERE batch_id = $1 GROUP BY measure, period, district) m
WHERE t.replaced_by = $1 AND t.measure = m.measure AND t.period = m.period
  AND t.district IS NOT DISTINCT FROM m.district
RETURNING t.batch_id
