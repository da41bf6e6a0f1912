-- The file this connection reads (NULL for an in-memory database) and what changes after every load, replacement
-- and roll-back (store/batch_state.sql): the key of the kept whole-history counts, which depend on nothing else.
SELECT (SELECT file FROM pragma_database_list WHERE name = current_database()) AS file,
       count(*), coalesce(max(id), 0), max(rolled_back_at), count(*) FILTER (WHERE status <> 'loaded')
FROM batches
