-- Live rows per source, kind, month and batch of a slice (see delete.sql), with the crimes' dates.
INSERT INTO fact_months
SELECT source, 'asb', month, batch_id, count(*), NULL, NULL, NULL
FROM asb_incidents
WHERE replaced_by IS NULL
  AND (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
UNION ALL
SELECT source, 'crime', month, batch_id, count(*),
       max(coalesce(CAST(recorded_date AS DATE), last_day(month))), max(CAST(outcome_date AS DATE)),
       count(outcome_date)
FROM crimes
WHERE replaced_by IS NULL
  AND (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
UNION ALL
SELECT source, 'outcomes', month, batch_id, count(*), NULL, NULL, NULL
FROM outcome_events
WHERE replaced_by IS NULL
  AND (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
ORDER BY 1, 3, 2, 4
