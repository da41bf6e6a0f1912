-- After a refresh of the aggregates or a change to a reference table: the aggregates' version goes up (schema.sql,
-- aggregates_version), so figures kept from the old version are worked out again (analytics.figures.kept).
-- A row is added rather than one row updated: two loads in one process (the demo's sources, side by side) commit
-- without a write conflict, and the version (the number of rows, figures/history_state.sql) counts every commit.
INSERT INTO aggregates_version SELECT coalesce(max(version), 0) + 1 FROM aggregates_version
