-- Outcome-date basis: victim-based crimes given a positive outcome in each month of [$first, $after), whenever
-- they were recorded: those solved now (an open span of crime_solved) from a day in those months.
SELECT date_trunc('month', solved_from) AS month,
       CAST(sum(n) AS BIGINT) AS solved
FROM crime_solved
WHERE source = $source AND solved_to IS NULL
  AND solved_from >= $first AND solved_from < $after
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
