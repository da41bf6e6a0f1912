-- Whether the register already holds the synthetic demo's applications.
SELECT count(*) FROM case_reviews WHERE synthetic
