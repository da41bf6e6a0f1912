-- Rows per source, kind and month: what each source covers (the coverage heat map, completeness checks).
SELECT source, 'asb' AS measure, month, count(*) AS count
FROM asb GROUP BY ALL
UNION ALL
SELECT source, 'crime' AS measure, month, count(*) AS count
FROM crime GROUP BY ALL
ORDER BY source, measure, month
