-- The case review register's state: every change adds a row to its audit trail.
SELECT count(*), coalesce(max(id), 0) FROM case_review_changes
