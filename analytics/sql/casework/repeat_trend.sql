-- Repeat callers of one source at several dates (month ends, the last one the date asked for). $as_at, $starts,
-- $after_ends, $month_starts and $previous are parallel lists: for each point its window [start, after_end), the
-- first day of its month and the point before it. Per point: repeat callers (at least $min_incidents incidents in
-- the window), those who were not repeat callers at the point before, the vulnerable ones, the incidents of the
-- point's month (up to the point) that carry a caller reference, and those made by the point's repeat callers.
WITH points AS (
    SELECT unnest($as_at) AS as_at, unnest($starts) AS start, unnest($after_ends) AS after_end,
           unnest($month_starts) AS month_start, unnest($previous) AS previous
), incidents AS (
    SELECT caller_key, reported_date, vulnerable
    FROM asb_incidents
    WHERE source = $source AND replaced_by IS NULL AND caller_key IS NOT NULL
      AND reported_date >= $span_start AND reported_date < $span_after_end
), candidates AS (
    -- a caller with fewer incidents than the threshold over the whole span is never a repeat caller: most
    -- callers call once, so this leaves few rows for the join with the points below
    SELECT caller_key FROM incidents GROUP BY caller_key HAVING count(*) >= $min_incidents
), per_caller AS (
    SELECT p.as_at, i.caller_key, count(*) AS n,
           count(*) FILTER (WHERE i.reported_date >= p.month_start) AS in_month,
           bool_or(i.vulnerable) AS vulnerable
    FROM points p
    JOIN (SELECT * FROM incidents SEMI JOIN candidates USING (caller_key)) i
      ON i.reported_date >= p.start AND i.reported_date < p.after_end
    GROUP BY ALL
), repeaters AS (
    SELECT as_at, caller_key, in_month, vulnerable FROM per_caller WHERE n >= $min_incidents
), by_month AS (
    -- every point but the last is a month end, and incidents stop at the last point: a month's rows are its own
    SELECT date_trunc('month', reported_date) AS month_start, count(*) AS incidents FROM incidents GROUP BY ALL
), months AS (
    SELECT p.as_at, coalesce(b.incidents, 0) AS incidents
    FROM points p LEFT JOIN by_month b ON b.month_start = p.month_start
)
SELECT p.as_at,
       count(r.caller_key) AS repeat_callers,
       count(r.caller_key) FILTER (WHERE r.caller_key IS NOT NULL AND q.caller_key IS NULL) AS new_repeat_callers,
       count(r.caller_key) FILTER (WHERE r.vulnerable) AS vulnerable_repeat_callers,
       any_value(m.incidents) AS incidents,
       coalesce(sum(r.in_month), 0) AS incidents_from_repeat_callers
FROM points p
JOIN months m ON m.as_at = p.as_at
LEFT JOIN repeaters r ON r.as_at = p.as_at
LEFT JOIN repeaters q ON q.caller_key = r.caller_key AND q.as_at = p.previous
GROUP BY p.as_at
ORDER BY p.as_at
