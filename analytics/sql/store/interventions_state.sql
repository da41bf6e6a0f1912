-- The interventions register's state: entries are only added or withdrawn (a correction does both).
SELECT coalesce(max(id), 0), count(withdrawn_at) FROM interventions
