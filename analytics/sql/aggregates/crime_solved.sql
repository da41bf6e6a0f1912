-- The solved spans of the live victim-based crimes of a slice (see delete.sql; schema.sql, crime_solved). An event
-- month's winning event is its file's later row of the later batch, as in view latest_outcome.
INSERT INTO crime_solved
WITH events AS (
    SELECT source, crime_ref, month, outcome_code, outcome_date
    FROM outcome_events
    WHERE replaced_by IS NULL AND (CAST($source AS VARCHAR) IS NULL OR source = $source)
    QUALIFY row_number() OVER (PARTITION BY source, crime_ref, month ORDER BY batch_id DESC, source_row DESC) = 1
),
spans AS (
    SELECT source, crime_ref, outcome_code, outcome_date AS span_from,
           lead(outcome_date) OVER (PARTITION BY source, crime_ref ORDER BY month) AS span_to
    FROM events
),
victim_based AS (
    SELECT f.source, f.crime_ref, f.month, f.district, f.outcome_code, CAST(f.outcome_date AS DATE) AS outcome_day
    FROM crimes f LEFT JOIN ref_offence_groups g ON g.name = f.offence_group
    WHERE f.replaced_by IS NULL AND coalesce(f.victim_based, g.victim_based, false)
      AND (CAST($source AS VARCHAR) IS NULL OR f.source = $source)
      AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), f.month))
)
SELECT c.source, c.month, c.district,
       CASE WHEN s.crime_ref IS NULL THEN c.outcome_day ELSE s.span_from END AS solved_from,
       s.span_to AS solved_to,
       count(*)
FROM victim_based c
LEFT JOIN spans s ON s.source = c.source AND s.crime_ref = c.crime_ref
JOIN ref_outcomes o ON o.outcome = CASE WHEN s.crime_ref IS NULL THEN c.outcome_code ELSE s.outcome_code END
WHERE o.solved AND (s.crime_ref IS NOT NULL OR c.outcome_day IS NOT NULL)
GROUP BY ALL
ORDER BY 1, 2, 3, 4
