ALTER TABLE job_fit DROP COLUMN notion_closed;
