-- SQLite only: rebuilds `jobs` with the large columns (description, raw_json) last.
-- SQLite stores a row's columns in order and spills what does not fit a page into a chain
-- of overflow pages; reading a column placed after a 5 KB description meant walking that
-- chain, so every fingerprint read (content_hash, raw_hash) and every scoring read
-- (content_hash, closed_at) read the whole posting. Column names, types and constraints are
-- unchanged; only the physical order differs from migrations/mysql (InnoDB keeps long text
-- off the row whatever its position).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE jobs_rebuilt (
    job_uid TEXT PRIMARY KEY NOT NULL,
    ats_type TEXT NOT NULL,
    company_slug TEXT NOT NULL,
    ats_job_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    raw_hash TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    closed_at TEXT,
    posted_at TEXT,
    updated_at TEXT,
    title TEXT NOT NULL,
    company TEXT,
    location TEXT,
    department TEXT,
    team TEXT,
    employment_type TEXT,
    workplace_type TEXT,
    url TEXT,
    apply_url TEXT,
    salary_text TEXT,
    description TEXT NOT NULL,
    raw_json TEXT NOT NULL,
    FOREIGN KEY (ats_type, company_slug) REFERENCES sources (ats_type, company_slug)
);
INSERT INTO jobs_rebuilt (
    job_uid, ats_type, company_slug, ats_job_id, content_hash, raw_hash, first_seen_at,
    last_seen_at, changed_at, closed_at, posted_at, updated_at, title, company, location,
    department, team, employment_type, workplace_type, url, apply_url, salary_text,
    description, raw_json
)
SELECT
    job_uid, ats_type, company_slug, ats_job_id, content_hash, raw_hash, first_seen_at,
    last_seen_at, changed_at, closed_at, posted_at, updated_at, title, company, location,
    department, team, employment_type, workplace_type, url, apply_url, salary_text,
    description, raw_json
FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
CREATE INDEX jobs_source ON jobs (ats_type, company_slug, closed_at);
CREATE INDEX jobs_closed_at ON jobs (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX jobs_first_seen_at ON jobs (first_seen_at);
CREATE INDEX jobs_last_seen_at ON jobs (last_seen_at);
COMMIT;
PRAGMA foreign_keys = ON;
