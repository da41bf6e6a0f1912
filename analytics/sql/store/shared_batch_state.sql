-- The loads every source's figures may depend on (store.Versions): outcomes files, which date the outcomes of crimes
-- already loaded, and measures files, which the Overview and the measures pages show beside any source.
SELECT count(*), coalesce(max(id), 0), max(rolled_back_at), count(*) FILTER (WHERE status <> 'loaded')
FROM batches
WHERE kind NOT IN ('asb', 'crime', 'asb+crime')
