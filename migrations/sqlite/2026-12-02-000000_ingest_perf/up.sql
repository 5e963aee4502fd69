-- A hash of each job's raw item, so an unchanged item is not parsed again; and the time a
-- complete fetch last saw every open job of a source, so unchanged jobs need no row write.
ALTER TABLE jobs ADD COLUMN raw_hash TEXT;
ALTER TABLE sources ADD COLUMN jobs_seen_at TEXT;
