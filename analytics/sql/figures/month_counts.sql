-- Per month of [$first, $last] for one source: rows of this kind at all (whether the source covers the month)
-- and rows counted by the measure, optionally in one district. {view} (a monthly aggregate, schema.sql) and
-- {measure_filter} come from an allow-list.
SELECT month,
       CAST(sum(n) AS BIGINT) AS source_rows,
       CAST(coalesce(sum(n) FILTER (WHERE {measure_filter} AND ($district IS NULL OR district = $district)), 0)
            AS BIGINT) AS n
FROM {view}
WHERE source = $source AND month BETWEEN $first AND $last
GROUP BY ALL
