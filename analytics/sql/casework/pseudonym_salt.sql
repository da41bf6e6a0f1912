-- The secret of the keyed hash that makes pseudonyms of caller references.
SELECT value FROM casework_settings WHERE name = 'pseudonym_salt'
