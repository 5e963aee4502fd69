-- SQLite only. Without statistics SQLite's planner guesses ~10 rows per key of an index,
-- so `job_uid IN (…20 uids…) AND closed_at IS NULL` (closing, marking seen) searched
-- `jobs_closed_at` for NULL and read every open job's row instead of 20 by primary key:
-- incremental runs grew with the square of the table. The index only ever serves closed
-- jobs, so it now holds only those, and an open-job filter cannot pick it.
DROP INDEX jobs_closed_at;
CREATE INDEX jobs_closed_at ON jobs (closed_at) WHERE closed_at IS NOT NULL;
