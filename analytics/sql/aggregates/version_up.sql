-- After a refresh of the aggregates or a change to a reference table: the aggregates' version goes up (schema.sql,
-- aggregates_version), so figures kept from the old version are worked out again (analytics.figures.kept).
UPDATE aggregates_version SET version = version + 1
