-- The aggregate rows of a slice: one source ($source NULL: every source) and some of its months ($months NULL: all).
-- {table} is one of store.AGGREGATE_TABLES.
DELETE FROM {table}
WHERE (CAST($source AS VARCHAR) IS NULL OR source = $source)
  AND (CAST($months AS DATE[]) IS NULL OR list_contains(CAST($months AS DATE[]), month))
