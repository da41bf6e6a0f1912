-- Same age: victim-based crimes recorded in each month of [$first, $last] that are solved as at the day before
-- $after (crime_solved, schema.sql). A crime with outcome events (police.uk outcomes files) is solved then when its
-- latest event dated before $after is a positive outcome; any other crime when its own outcome is positive and
-- dated before $after.
SELECT month,
       CAST(sum(n) AS BIGINT) AS solved
FROM crime_solved
WHERE source = $source AND month BETWEEN $first AND $last
  AND solved_from < $after AND (solved_to IS NULL OR solved_to >= $after)
  AND ($district IS NULL OR district = $district)
GROUP BY ALL
