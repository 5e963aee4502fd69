DROP INDEX jobs_closed_at;
CREATE INDEX jobs_closed_at ON jobs (closed_at);
