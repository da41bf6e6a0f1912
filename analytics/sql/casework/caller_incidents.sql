-- Every live incident of one caller key in one source, newest first: the caller lookup at first contact. The
-- materialised step filters on caller_key alone, so DuckDB answers it from the index (a filter on a second column
-- in the same scan makes it read the whole table instead).
WITH hits AS MATERIALIZED (
    SELECT source, replaced_by, reported_date, incident_ref, district, call_type, location, caller_ref, vulnerable
    FROM asb_incidents
    WHERE caller_key = $key
)
SELECT reported_date, incident_ref, district, call_type, location, caller_ref, vulnerable
FROM hits
WHERE source = $source AND replaced_by IS NULL AND reported_date IS NOT NULL
ORDER BY reported_date DESC, incident_ref DESC
