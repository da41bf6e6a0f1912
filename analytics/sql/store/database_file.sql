-- The file this connection reads (NULL for an in-memory database): the key of the kept whole-history counts.
SELECT file FROM pragma_database_list WHERE name = current_database()
