-- Each district's latest live value of a measure whose period ends on or before $2 (any grain; the finest grain
-- wins a tie of dates): a level at a date.
SELECT district, period, period_end, value
FROM measure_values
WHERE replaced_by IS NULL AND measure = $1 AND district IS NOT NULL AND period_end <= $2
QUALIFY row_number() OVER (PARTITION BY district
                           ORDER BY period_end DESC, CASE grain WHEN 'day' THEN 0 WHEN 'week' THEN 1 ELSE 2 END) = 1
ORDER BY district
