-- Outcome-date basis: victim-based crimes given a positive outcome in each month of [$first, $after), whenever
-- they were recorded.
SELECT date_trunc('month', outcome_date) AS month,
       count(*) AS solved
FROM crime
WHERE source = $source AND vbc AND solved
  AND outcome_date >= $first AND outcome_date < $after
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
