-- Whether the database has ever had a load (the demo is loaded only into one that has not).
SELECT count(*) FROM batches
