-- Every entry of the register, oldest first, with the entry that corrected it (if any).
SELECT i.id, i.started, i.district, i.type, i.affects, i.description, i.recorded_by, i.recorded_at, i.replaces,
       i.withdrawn_by, i.withdrawn_at, i.withdrawn_reason,
       (SELECT min(c.id) FROM interventions c WHERE c.replaces = i.id) AS replaced_by
FROM interventions i
ORDER BY i.started, i.id
