-- Repeat callers of one source as at a date: callers with at least $min_incidents incidents reported in the window
-- [$start, $after_end). Also counted per caller: the incidents in the case review window [$cr_start, $after_end)
-- and in the window as at the end of the month before, [$prev_start, $prev_after_end), which says who became a
-- repeat caller this month. Windows come from analytics/casework/windows.py; reported_date is a timestamp.
-- Counting comes first, so the lists are made for repeat callers only, not for every one-off caller.
WITH incidents AS (
    SELECT caller_key, reported_date, district, call_type, vulnerable
    FROM asb_incidents
    WHERE source = $source AND replaced_by IS NULL AND caller_key IS NOT NULL
      AND reported_date >= $span_start AND reported_date < $after_end
), repeaters AS (
    SELECT caller_key,
           count(*) FILTER (WHERE reported_date >= $start) AS incidents,
           count(*) FILTER (WHERE reported_date >= $cr_start) AS case_review_incidents,
           count(*) FILTER (WHERE reported_date >= $prev_start AND reported_date < $prev_after_end)
               AS incidents_before
    FROM incidents
    GROUP BY caller_key
    HAVING count(*) FILTER (WHERE reported_date >= $start) >= $min_incidents
)
SELECT r.caller_key, r.incidents,
       CAST(min(i.reported_date) AS DATE) AS first,
       CAST(max(i.reported_date) AS DATE) AS last,
       -- the district of the latest incident (ties by name, so the answer never depends on row order)
       arg_max(i.district, (i.reported_date, i.district)) AS district,
       string_agg(DISTINCT i.district, '; ' ORDER BY i.district) AS districts,
       string_agg(DISTINCT i.call_type, '; ' ORDER BY i.call_type) AS call_types,
       bool_or(i.vulnerable) AS vulnerable,
       r.case_review_incidents, r.incidents_before
FROM repeaters r JOIN incidents i ON i.caller_key = r.caller_key AND i.reported_date >= $start
GROUP BY r.caller_key, r.incidents, r.case_review_incidents, r.incidents_before
ORDER BY r.incidents DESC, last DESC, r.caller_key
