-- After a refresh: the aggregates' version goes up (schema.sql, aggregates_version).
UPDATE aggregates_version SET version = version + 1
