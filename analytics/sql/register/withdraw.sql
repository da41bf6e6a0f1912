-- Withdraw one entry that is not withdrawn yet: the row stays, with who, when and why.
UPDATE interventions
SET withdrawn_by = $withdrawn_by, withdrawn_at = $withdrawn_at, withdrawn_reason = $reason
WHERE id = $id AND withdrawn_at IS NULL
RETURNING id
