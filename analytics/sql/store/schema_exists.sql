-- Whether the file holds the project's schema at all (a new or foreign DuckDB file does not).
SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'
