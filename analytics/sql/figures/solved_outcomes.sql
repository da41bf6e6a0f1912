-- The outcomes the solved rate counts as solved (ref_outcomes mirrors data/reference/outcomes.csv).
SELECT outcome, description FROM ref_outcomes WHERE solved ORDER BY outcome
