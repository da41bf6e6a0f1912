-- Live incidents of one source in [$start, $after_end) whose location contains $pattern (case ignored), newest
-- first, at most $limit: the location lookup at first contact.
SELECT reported_date, incident_ref, district, call_type, location, caller_key, vulnerable
FROM asb_incidents
WHERE source = $source AND replaced_by IS NULL AND reported_date >= $start AND reported_date < $after_end
  AND location ILIKE $pattern ESCAPE '\'
ORDER BY reported_date DESC, incident_ref DESC
LIMIT $limit
