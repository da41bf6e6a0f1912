-- Rows counted by the measure per group and month of [$first, $last] for one source. {key} is an allow-listed
-- expression (call type, category, crime type, district, outcome group).
SELECT {key} AS name,
       month,
       count(*) AS n
FROM {view}
WHERE source = $source AND month BETWEEN $first AND $last
  AND {measure_filter} AND ($district IS NULL OR district = $district)
GROUP BY ALL
