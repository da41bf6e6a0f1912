-- Live crimes of a slice (see delete.sql) per source, month, district, victim-based and outcome (view crime).
INSERT INTO crime_outcomes
SELECT source, month, district, vbc, solved, pending, outcome IS NOT NULL, outcome_group, count(*)
FROM crime
WHERE (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
GROUP BY ALL
ORDER BY source, month, district, outcome_group
