-- The live values of one measure for one area at every grain. An area's own rows come first: a district's
-- (district = $2), or the force-wide rows ($2 NULL). For the force, a period with no force-wide row takes the sum
-- of the districts' rows when the measure adds up over districts ($3: counts and surveys), every one of the $4
-- districts has that period and, for a survey, every row its number surveyed: part of the force is never passed
-- off as the whole.
WITH live AS (
    SELECT * FROM measure_values WHERE replaced_by IS NULL AND measure = $1
),
own AS (
    SELECT grain, period, period_start, period_end, month, value, surveyed, 'given' AS basis
    FROM live WHERE district IS NOT DISTINCT FROM $2
),
summed AS (
    SELECT grain, period, min(period_start) AS period_start, max(period_end) AS period_end, min(month) AS month,
           sum(value) AS value, CAST(sum(surveyed) AS INTEGER) AS surveyed, 'sum of districts' AS basis
    FROM live
    WHERE $2 IS NULL AND $3 AND district IS NOT NULL
    GROUP BY grain, period
    HAVING count(DISTINCT district) = $4 AND count(surveyed) IN (0, count(*))
)
SELECT * FROM own
UNION ALL
SELECT * FROM summed WHERE NOT EXISTS (SELECT 1 FROM own WHERE own.grain = summed.grain AND own.period = summed.period)
ORDER BY period_start, grain
