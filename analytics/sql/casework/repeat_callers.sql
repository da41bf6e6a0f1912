-- Repeat callers of one source as at a date: callers with at least $min_incidents incidents reported in the window
-- [$start, $after_end). Also counted per caller: the incidents in the case review window [$cr_start, $after_end)
-- and in the window as at the end of the month before, [$prev_start, $prev_after_end), which says who became a
-- repeat caller this month. Windows come from analytics/casework/windows.py; reported_date is a timestamp.
WITH incidents AS (
    SELECT caller_key, reported_date, district, call_type, vulnerable
    FROM asb_incidents
    WHERE source = $source AND replaced_by IS NULL AND caller_key IS NOT NULL
      AND reported_date >= $span_start AND reported_date < $after_end
)
SELECT caller_key,
       count(*) FILTER (WHERE reported_date >= $start) AS incidents,
       CAST(min(reported_date) FILTER (WHERE reported_date >= $start) AS DATE) AS first,
       CAST(max(reported_date) FILTER (WHERE reported_date >= $start) AS DATE) AS last,
       -- the district of the latest incident (ties by name, so the answer never depends on row order)
       arg_max(district, (reported_date, district)) FILTER (WHERE reported_date >= $start) AS district,
       string_agg(DISTINCT district, '; ' ORDER BY district) FILTER (WHERE reported_date >= $start) AS districts,
       string_agg(DISTINCT call_type, '; ' ORDER BY call_type) FILTER (WHERE reported_date >= $start) AS call_types,
       bool_or(vulnerable) FILTER (WHERE reported_date >= $start) AS vulnerable,
       count(*) FILTER (WHERE reported_date >= $cr_start) AS case_review_incidents,
       count(*) FILTER (WHERE reported_date >= $prev_start AND reported_date < $prev_after_end) AS incidents_before
FROM incidents
GROUP BY caller_key
HAVING count(*) FILTER (WHERE reported_date >= $start) >= $min_incidents
ORDER BY incidents DESC, last DESC, caller_key
