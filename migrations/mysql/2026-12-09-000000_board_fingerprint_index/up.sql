-- A fetch first reads every job of its board: uid, content hash, closed or not, raw hash.
-- Job uids are hashes, so a board's rows lie scattered through the clustered index, and
-- reading them cost one page read per job once the table outgrew the buffer pool (67 ms
-- per 500-job board at 100k jobs). With the hashes in the board's index (which also holds
-- the uid, the primary key), the read stays in that index.
ALTER TABLE jobs
    DROP INDEX jobs_source,
    ADD INDEX jobs_source (ats_type, company_slug, closed_at, content_hash, raw_hash);
