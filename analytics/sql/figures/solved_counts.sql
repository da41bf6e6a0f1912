-- Cohort basis: victim-based crimes recorded in each month of [$first, $last], those of them with a positive
-- outcome (whenever it came), those whose outcome is still pending, and those with any outcome recorded.
-- source_rows says whether the source has any crime rows in the month.
SELECT month,
       count(*) AS source_rows,
       count(*) FILTER (WHERE vbc AND ($district IS NULL OR district = $district)) AS total,
       count(*) FILTER (WHERE vbc AND solved AND ($district IS NULL OR district = $district)) AS solved,
       count(*) FILTER (WHERE vbc AND pending AND ($district IS NULL OR district = $district)) AS pending,
       count(*) FILTER (WHERE vbc AND outcome IS NOT NULL AND ($district IS NULL OR district = $district)) AS outcomes
FROM crime
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
