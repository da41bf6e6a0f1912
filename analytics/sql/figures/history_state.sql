-- The aggregates' version (schema.sql): it goes up with every load, replacement and roll-back, the key of the kept
-- whole-history counts, which depend on nothing else.
SELECT max(version) FROM aggregates_version
