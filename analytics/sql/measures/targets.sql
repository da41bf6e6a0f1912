-- The measures' targets (data/reference/targets.csv); district '' is the whole force.
SELECT measure, district, target_type, value, note FROM ref_targets ORDER BY measure, district
