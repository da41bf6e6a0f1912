-- The schema version the file was last brought to (0 when none is recorded).
SELECT coalesce(max(version), 0) FROM schema_version
