-- Rows per source, kind and month ('YYYY-MM'), the history every coverage figure is worked out from
-- (analytics.figures.coverage); the month as text here, not converted a row at a time in Python.
SELECT source, kind AS measure, strftime(month, '%Y-%m') AS month, CAST(sum(live) AS BIGINT) AS count
FROM fact_months
WHERE kind IN ('asb', 'crime')
GROUP BY source, kind, month
ORDER BY source, measure, month
