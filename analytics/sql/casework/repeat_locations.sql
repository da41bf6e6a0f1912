-- Places of one source with at least $min_incidents live ASB incidents in the months [$first, $last], ranked. A
-- place is a location (with its LSOA and district) or an LSOA; {key} and {place_filter} come from an allow-list.
SELECT {key},
       count(*) AS incidents,
       count(DISTINCT month) AS months_with_incidents,
       min(month) AS first_month,
       max(month) AS last_month,
       count(DISTINCT caller_key) AS callers
FROM asb_incidents
WHERE source = $source AND replaced_by IS NULL AND month BETWEEN $first AND $last AND {place_filter}
GROUP BY ALL
HAVING count(*) >= $min_incidents
ORDER BY incidents DESC, {order}
