-- Per group and month of [$first, $last] for one source: rows counted by the measure, optionally in one district.
-- Every row of the kind forms a group, so the months returned are the months the source covers. {view} is a monthly
-- aggregate (schema.sql); {key} is an allow-listed expression over its columns (call type, category, crime type,
-- district, outcome group).
SELECT {key} AS name,
       month,
       CAST(coalesce(sum(n) FILTER (WHERE {measure_filter} AND ($district IS NULL OR district = $district)), 0)
            AS BIGINT) AS n
FROM {view}
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
