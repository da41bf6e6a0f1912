-- The crime types victim-based crime counts (ref_offence_groups mirrors data/reference/offence_groups.csv).
SELECT DISTINCT crime_type FROM ref_offence_groups WHERE victim_based ORDER BY crime_type
