-- The measures with live values: the first and last day they cover and how many values.
SELECT measure, min(period_start), max(period_end), count(*)
FROM measure_values WHERE replaced_by IS NULL
GROUP BY measure ORDER BY measure
