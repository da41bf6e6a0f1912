-- The ASB Case Review statistics by financial year (its first calendar year) of the date received, over
-- applications not withdrawn. A review is carried out when the threshold was met and the panel sat on or before
-- $today; it resulted in recommendations when any are recorded.
SELECT year(received) - CASE WHEN month(received) < 4 THEN 1 ELSE 0 END AS start_year,
       count(*) AS applications,
       count(*) FILTER (WHERE threshold_met = false) AS threshold_not_met,
       count(*) FILTER (WHERE threshold_met AND panel_date <= $today) AS reviews,
       count(*) FILTER (WHERE threshold_met AND panel_date <= $today
                          AND nullif(trim(recommendations), '') IS NOT NULL) AS with_recommendations
FROM case_reviews
WHERE withdrawn_on IS NULL
GROUP BY ALL
ORDER BY start_year
