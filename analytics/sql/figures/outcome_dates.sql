-- A source's data date (the latest day a crime was recorded or given an outcome: a police.uk crime, which has only
-- a month, counts as recorded on the month's last day, as an outcome event is dated), whether any crime carries an
-- outcome date, and the months of its live outcome events (fact_months, schema.sql).
WITH crimes_of AS (
    SELECT max(last_recorded) AS recorded, max(last_outcome) AS outcome, coalesce(sum(dated), 0) > 0 AS dated
    FROM fact_months WHERE source = $source AND kind = 'crime'
),
events_of AS (
    SELECT last_day(max(month)) AS outcome,
           list(DISTINCT strftime(month, '%Y-%m') ORDER BY strftime(month, '%Y-%m')) AS months
    FROM fact_months WHERE source = $source AND kind = 'outcomes'
)
SELECT greatest(c.recorded, c.outcome, e.outcome) AS data_date, c.dated, coalesce(e.months, []) AS event_months
FROM crimes_of c, events_of e
