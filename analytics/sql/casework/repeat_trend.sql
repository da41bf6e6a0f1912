-- Repeat callers of one source at several dates (month ends, the last one the date asked for). $as_at, $starts,
-- $after_ends, $month_starts and $previous are parallel lists: for each point its window [start, after_end), the
-- first day of its month and the point before it. Per point: repeat callers (at least {min_incidents} incidents in
-- the window), those who were not repeat callers at the point before, the vulnerable ones, the incidents of the
-- point's month (up to the point) that carry a caller reference, and those made by the point's repeat callers.
--
-- Without a join of every incident with every point: a caller is a repeat caller at a point when, taking their
-- last incident before the point's end, the incident {min_incidents} - 1 calls before it is inside the window; and
-- flagged vulnerable when their latest vulnerable call up to that incident is inside it. {min_incidents} is a
-- validated whole number (a window function's offset cannot be a parameter).
WITH points AS (
    SELECT unnest($as_at) AS as_at, unnest($starts) AS start, unnest($after_ends) AS after_end,
           unnest($month_starts) AS month_start, unnest($previous) AS previous
), incidents AS (
    SELECT caller_key, reported_date, vulnerable
    FROM asb_incidents
    WHERE source = $source AND replaced_by IS NULL AND caller_key IS NOT NULL
      AND reported_date >= $span_start AND reported_date < $span_after_end
), candidates AS (
    -- fewer incidents than the threshold over the whole span: never a repeat caller (most callers call once)
    SELECT caller_key FROM incidents GROUP BY caller_key HAVING count(*) >= {min_incidents}
), calls AS (
    SELECT * FROM incidents SEMI JOIN candidates USING (caller_key)
), sequence AS (
    SELECT caller_key, reported_date,
           lag(reported_date, {min_incidents} - 1) OVER w AS nth_back,
           lead(reported_date) OVER w AS next_at,
           max(CASE WHEN vulnerable THEN reported_date END) OVER w AS vulnerable_at
    FROM calls
    WINDOW w AS (PARTITION BY caller_key ORDER BY reported_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), repeaters AS (
    SELECT p.as_at, s.caller_key, coalesce(s.vulnerable_at >= p.start, false) AS vulnerable
    FROM points p
    JOIN sequence s ON s.reported_date < p.after_end AND (s.next_at IS NULL OR s.next_at >= p.after_end)
                   AND s.nth_back >= p.start
), month_calls AS (
    SELECT caller_key, date_trunc('month', reported_date) AS month_start, count(*) AS n FROM calls GROUP BY ALL
), by_month AS (
    -- every point but the last is a month end, and incidents stop at the last point: a month's rows are its own
    SELECT date_trunc('month', reported_date) AS month_start, count(*) AS incidents FROM incidents GROUP BY ALL
), per_point AS (
    SELECT r.as_at,
           count(*) AS repeat_callers,
           count(*) FILTER (WHERE q.caller_key IS NULL) AS new_repeat_callers,
           count(*) FILTER (WHERE r.vulnerable) AS vulnerable_repeat_callers,
           coalesce(sum(m.n), 0) AS incidents_from_repeat_callers
    FROM repeaters r
    JOIN points p ON p.as_at = r.as_at
    LEFT JOIN repeaters q ON q.caller_key = r.caller_key AND q.as_at = p.previous
    LEFT JOIN month_calls m ON m.caller_key = r.caller_key AND m.month_start = p.month_start
    GROUP BY r.as_at
)
SELECT p.as_at,
       coalesce(x.repeat_callers, 0), coalesce(x.new_repeat_callers, 0), coalesce(x.vulnerable_repeat_callers, 0),
       coalesce(b.incidents, 0), coalesce(x.incidents_from_repeat_callers, 0)
FROM points p
LEFT JOIN per_point x ON x.as_at = p.as_at
LEFT JOIN by_month b ON b.month_start = p.month_start
ORDER BY p.as_at
