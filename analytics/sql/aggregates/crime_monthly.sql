-- Live crimes of a slice (see delete.sql) per source, month, district, crime type and victim-based (view crime).
INSERT INTO crime_monthly
SELECT source, month, district, crime_type, vbc, count(*)
FROM crime
WHERE (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
ORDER BY source, month, district, crime_type
