-- Per group and month of [$first, $last] for one source: rows counted by the measure, optionally in one district.
-- Every row of the kind forms a group, so the months returned are the months the source covers. {key} is an
-- allow-listed expression (call type, category, crime type, district, outcome group).
SELECT {key} AS name,
       month,
       count(*) FILTER (WHERE {measure_filter} AND ($district IS NULL OR district = $district)) AS n
FROM {view}
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
