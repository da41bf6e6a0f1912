-- A setting changed by an analyst: name, value, who, when.
INSERT OR REPLACE INTO casework_settings VALUES (?, ?, ?, ?)
