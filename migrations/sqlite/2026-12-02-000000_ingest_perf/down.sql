ALTER TABLE sources DROP COLUMN jobs_seen_at;
ALTER TABLE jobs DROP COLUMN raw_hash;
