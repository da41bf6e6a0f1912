-- Households by district (data/reference/households.csv) and the source named for each figure.
SELECT name, households, source FROM ref_households ORDER BY name
