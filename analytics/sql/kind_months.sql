-- Rows per month of one kind ({view}: asb or crime) for one source, all months.
SELECT month, count(*) AS n
FROM {view}
WHERE source = $source
GROUP BY ALL
ORDER BY month
