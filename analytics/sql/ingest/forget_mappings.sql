-- Forget the remembered mapping of one source and format.
DELETE FROM column_mappings WHERE source = ? AND format = ? RETURNING file_column
