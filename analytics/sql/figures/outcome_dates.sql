-- A source's data date (the latest day a crime was recorded or given an outcome: a police.uk crime, which has only
-- a month, counts as recorded on the month's last day, as an outcome event is dated), whether any crime carries an
-- outcome date, and the months of its live outcome events.
WITH crimes_of AS (
    SELECT max(coalesce(CAST(recorded_date AS DATE), last_day(month))) AS recorded,
           max(CAST(outcome_date AS DATE)) AS outcome,
           count(outcome_date) > 0 AS dated
    FROM crimes WHERE source = $source AND replaced_by IS NULL
),
events_of AS (
    SELECT max(outcome_date) AS outcome, list(DISTINCT strftime(month, '%Y-%m') ORDER BY strftime(month, '%Y-%m')) AS months
    FROM outcome_events WHERE source = $source AND replaced_by IS NULL
)
SELECT greatest(c.recorded, c.outcome, e.outcome) AS data_date, c.dated, coalesce(e.months, []) AS event_months
FROM crimes_of c, events_of e
