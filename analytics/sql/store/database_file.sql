-- The file this connection reads (NULL for an in-memory database), the key of the figures' kept inputs, and whether
-- it is open read-only (a published copy, which never changes).
SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()
