-- What changes after every load, replacement and roll-back: part of the data version (the cache key).
SELECT count(*), coalesce(max(id), 0), max(rolled_back_at), count(*) FILTER (WHERE status <> 'loaded')
FROM batches
