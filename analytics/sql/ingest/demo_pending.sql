-- The first start has loaded the police.uk demo files (loaded_by ?) and not yet the synthetic source (source ?).
SELECT EXISTS (SELECT 1 FROM batches WHERE loaded_by = $1)
   AND NOT EXISTS (SELECT 1 FROM batches WHERE loaded_by = $1 AND source = $2)
