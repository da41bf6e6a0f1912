-- One change to the register, kept for ever: application (NULL for a setting), field, old and new value, who, when.
INSERT INTO case_review_changes (review_id, field, old_value, new_value, changed_by, changed_at)
VALUES (?, ?, ?, ?, ?, ?)
