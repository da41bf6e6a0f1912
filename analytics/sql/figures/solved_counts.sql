-- Cohort basis: victim-based crimes recorded in each month of [$first, $last], those of them with a positive
-- outcome (whenever it came), those whose outcome is still pending, and those with any outcome recorded.
-- source_rows says whether the source has any crime rows in the month.
SELECT month,
       CAST(sum(n) AS BIGINT) AS source_rows,
       CAST(coalesce(sum(n) FILTER (WHERE vbc AND ($district IS NULL OR district = $district)), 0) AS BIGINT) AS total,
       CAST(coalesce(sum(n) FILTER (WHERE vbc AND solved AND ($district IS NULL OR district = $district)), 0)
            AS BIGINT) AS solved,
       CAST(coalesce(sum(n) FILTER (WHERE vbc AND pending AND ($district IS NULL OR district = $district)), 0)
            AS BIGINT) AS pending,
       CAST(coalesce(sum(n) FILTER (WHERE vbc AND recorded AND ($district IS NULL OR district = $district)), 0)
            AS BIGINT) AS outcomes
FROM crime_outcomes
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
