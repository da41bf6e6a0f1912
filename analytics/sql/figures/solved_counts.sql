-- Cohort basis: victim-based crimes recorded in each month of [$first, $last] and those of them with a positive
-- outcome (whenever it came). source_rows says whether the source has any crime rows in the month.
SELECT month,
       count(*) AS source_rows,
       count(*) FILTER (WHERE vbc AND ($district IS NULL OR district = $district)) AS total,
       count(*) FILTER (WHERE vbc AND solved AND ($district IS NULL OR district = $district)) AS solved
FROM crime
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
