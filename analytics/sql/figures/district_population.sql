-- Each force district's resident population, the denominator of rates per 1,000.
SELECT name, population FROM ref_districts
