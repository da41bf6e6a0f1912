-- The register's stored settings (the rest take their defaults).
SELECT name, value FROM casework_settings WHERE name IN (SELECT unnest(?))
