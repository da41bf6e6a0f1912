-- The aggregates' version (schema.sql): it goes up with every load, replacement, roll-back and reference edit, the
-- key of the figures kept per database file (analytics.figures.kept).
SELECT max(version) FROM aggregates_version
