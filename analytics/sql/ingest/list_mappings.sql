-- Remembered column mappings, for the Admin page.
SELECT source, format, file_column, canonical, updated_by, strftime(updated_at, '%Y-%m-%d %H:%M') AS updated_at
FROM column_mappings
ORDER BY source, format, canonical, file_column
