-- The places (location and district) of one source whose location contains $pattern (case ignored), with their
-- live incidents and distinct callers in [$start, $after_end), most incidents first.
SELECT location, district, count(*) AS incidents, count(DISTINCT caller_key) AS callers
FROM asb_incidents
WHERE source = $source AND replaced_by IS NULL AND reported_date >= $start AND reported_date < $after_end
  AND location ILIKE $pattern ESCAPE '\'
GROUP BY ALL
ORDER BY incidents DESC, location, district
