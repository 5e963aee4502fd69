-- The Closed value the last sync wrote, so a job that reopens gets its page unticked.
ALTER TABLE job_fit ADD COLUMN notion_closed BOOLEAN;
