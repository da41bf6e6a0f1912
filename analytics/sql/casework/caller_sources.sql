-- Sources whose live ASB rows carry caller references, with their first and latest reported dates.
SELECT source, CAST(min(reported_date) AS DATE) AS first, CAST(max(reported_date) AS DATE) AS latest,
       count(*) AS incidents
FROM asb_incidents
WHERE replaced_by IS NULL AND caller_key IS NOT NULL AND reported_date IS NOT NULL
GROUP BY source
ORDER BY source
