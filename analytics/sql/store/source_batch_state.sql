-- Each source's incident and crime loads: what changes in a source's figures after a load, replacement or roll-back
-- of its own files (store.Versions). Outcomes and measures loads are in shared_batch_state.sql.
SELECT source, count(*), max(id), max(rolled_back_at), count(*) FILTER (WHERE status <> 'loaded')
FROM batches
WHERE kind IN ('asb', 'crime', 'asb+crime')
GROUP BY source
ORDER BY source
