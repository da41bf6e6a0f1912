-- Same age: victim-based crimes recorded in each month of [$first, $last] and those of them solved as at the day
-- before $after. A crime with outcome events (police.uk outcomes files) is solved then when its latest event dated
-- before $after is a positive outcome; any other crime when its own outcome is positive and dated before $after.
WITH events AS (
    SELECT crime_ref, month, batch_id, source_row, outcome_code, outcome_date
    FROM outcome_events
    WHERE source = $source AND replaced_by IS NULL
),
has_events AS (
    SELECT DISTINCT crime_ref FROM events
),
as_at AS (
    SELECT crime_ref, outcome_code FROM events
    WHERE outcome_date < $after
    QUALIFY row_number() OVER (PARTITION BY crime_ref ORDER BY month DESC, batch_id DESC, source_row DESC) = 1
)
SELECT c.month,
       count(*) AS total,
       count(*) FILTER (WHERE CASE WHEN h.crime_ref IS NOT NULL THEN coalesce(o.solved, false)
                                   ELSE c.solved AND c.outcome_date < $after END) AS solved
FROM crime c
LEFT JOIN has_events h ON h.crime_ref = c.crime_ref
LEFT JOIN as_at e ON e.crime_ref = c.crime_ref
LEFT JOIN ref_outcomes o ON o.outcome = e.outcome_code
WHERE c.source = $source AND c.vbc AND c.month BETWEEN $first AND $last
  AND ($district IS NULL OR c.district = $district)
GROUP BY ALL
