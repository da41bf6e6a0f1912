-- Rows per source, kind and month: what each source covers (the coverage heat map, completeness checks).
SELECT source, kind AS measure, month, CAST(sum(live) AS BIGINT) AS count
FROM fact_months
WHERE kind IN ('asb', 'crime')
GROUP BY ALL
ORDER BY source, measure, month
