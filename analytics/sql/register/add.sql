-- One new entry; returns its id.
INSERT INTO interventions (started, district, type, affects, description, recorded_by, recorded_at, replaces)
VALUES ($started, $district, $type, $affects, $description, $recorded_by, $recorded_at, $replaces)
RETURNING id
