-- The aggregates' version (schema.sql): it goes up with every load, replacement, roll-back and reference edit, the
-- key of the figures kept per database file (analytics.figures.kept). The number of rows, one added per commit
-- (aggregates/version_up.sql), so two commits that ran side by side still count as two.
SELECT count(*) FROM aggregates_version
