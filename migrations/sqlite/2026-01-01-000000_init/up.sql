-- jobs-bot schema for SQLite. Kept column-for-column in step with migrations/mysql.
-- Timestamps are UTC, stored by Diesel as TEXT 'YYYY-MM-DD HH:MM:SS.ffffff' (sortable);
-- days as TEXT 'YYYY-MM-DD'.

CREATE TABLE sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ats_type TEXT NOT NULL,
    company_slug TEXT NOT NULL,
    -- the slug as the user wrote it: some providers' board ids are case-sensitive
    declared_slug TEXT NOT NULL,
    name TEXT,
    region TEXT NOT NULL DEFAULT 'global',
    enabled BOOLEAN NOT NULL DEFAULT 1,
    last_fetched_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    failure_count INTEGER NOT NULL DEFAULT 0,
    empty_streak INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (ats_type, company_slug)
);
CREATE INDEX sources_last_fetched_at ON sources (last_fetched_at);

CREATE TABLE jobs (
    job_uid TEXT PRIMARY KEY NOT NULL,
    ats_type TEXT NOT NULL,
    company_slug TEXT NOT NULL,
    ats_job_id TEXT NOT NULL,
    title TEXT NOT NULL,
    company TEXT,
    location TEXT,
    department TEXT,
    team TEXT,
    employment_type TEXT,
    workplace_type TEXT,
    url TEXT,
    apply_url TEXT,
    description TEXT NOT NULL,
    salary_text TEXT,
    posted_at TEXT,
    updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    closed_at TEXT,
    raw_json TEXT NOT NULL,
    FOREIGN KEY (ats_type, company_slug) REFERENCES sources (ats_type, company_slug)
);
-- per-source fingerprints and open counts
CREATE INDEX jobs_source ON jobs (ats_type, company_slug, closed_at);
CREATE INDEX jobs_closed_at ON jobs (closed_at);
CREATE INDEX jobs_first_seen_at ON jobs (first_seen_at);
CREATE INDEX jobs_last_seen_at ON jobs (last_seen_at);

-- filled by enrichment (a later issue); salary is normalized JSON
CREATE TABLE job_enrichment (
    job_uid TEXT PRIMARY KEY NOT NULL REFERENCES jobs (job_uid) ON DELETE CASCADE,
    salary TEXT,
    enriched_at TEXT NOT NULL
);

-- one row per counter per UTC day; counter is 'api_calls:<provider>' or 'new_jobs'
CREATE TABLE daily_counters (
    counter TEXT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (counter, day)
);
