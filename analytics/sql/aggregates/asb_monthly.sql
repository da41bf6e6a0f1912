-- Live ASB incidents of a slice (see delete.sql) per source, month, district and call type.
INSERT INTO asb_monthly
SELECT source, month, district, call_type, count(*)
FROM asb_incidents
WHERE replaced_by IS NULL
  AND (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
ORDER BY source, month, district, call_type
