-- When the source's live rows were last loaded: the newest load of a batch that still has live rows.
SELECT max(loaded_at) FROM batches WHERE source = $source AND status <> 'rolled back'
