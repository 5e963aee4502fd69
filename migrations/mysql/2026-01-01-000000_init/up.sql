-- jobs-bot schema for MySQL / MariaDB. Kept column-for-column in step with migrations/sqlite.
-- InnoDB, utf8mb4 (4-byte characters round-trip), binary collation so that keys compare
-- byte for byte as they do in SQLite. Timestamps are UTC DATETIME(6); days are DATE.

CREATE TABLE sources (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ats_type VARCHAR(32) NOT NULL,
    company_slug VARCHAR(128) NOT NULL,
    -- the slug as the user wrote it: some providers' board ids are case-sensitive
    declared_slug VARCHAR(128) NOT NULL,
    name TEXT NULL,
    region VARCHAR(16) NOT NULL DEFAULT 'global',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    last_fetched_at DATETIME(6) NULL,
    last_success_at DATETIME(6) NULL,
    last_error MEDIUMTEXT NULL,
    failure_count INT NOT NULL DEFAULT 0,
    empty_streak INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY sources_key (ats_type, company_slug),
    KEY sources_last_fetched_at (last_fetched_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE jobs (
    job_uid VARCHAR(40) NOT NULL PRIMARY KEY,
    ats_type VARCHAR(32) NOT NULL,
    company_slug VARCHAR(128) NOT NULL,
    ats_job_id TEXT NOT NULL,
    title TEXT NOT NULL,
    company TEXT NULL,
    location TEXT NULL,
    department TEXT NULL,
    team TEXT NULL,
    employment_type TEXT NULL,
    workplace_type VARCHAR(16) NULL,
    url TEXT NULL,
    apply_url TEXT NULL,
    description LONGTEXT NOT NULL,
    salary_text TEXT NULL,
    posted_at DATETIME(6) NULL,
    updated_at DATETIME(6) NULL,
    first_seen_at DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    content_hash VARCHAR(40) NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    closed_at DATETIME(6) NULL,
    raw_json LONGTEXT NOT NULL,
    -- per-source fingerprints and open counts
    KEY jobs_source (ats_type, company_slug, closed_at),
    KEY jobs_closed_at (closed_at),
    KEY jobs_first_seen_at (first_seen_at),
    KEY jobs_last_seen_at (last_seen_at),
    CONSTRAINT jobs_source_fk FOREIGN KEY (ats_type, company_slug)
        REFERENCES sources (ats_type, company_slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- filled by enrichment (a later issue); salary is normalized JSON
CREATE TABLE job_enrichment (
    job_uid VARCHAR(40) NOT NULL PRIMARY KEY,
    salary MEDIUMTEXT NULL,
    enriched_at DATETIME(6) NOT NULL,
    CONSTRAINT job_enrichment_job_fk FOREIGN KEY (job_uid)
        REFERENCES jobs (job_uid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- one row per counter per UTC day; counter is 'api_calls:<provider>' or 'new_jobs'
CREATE TABLE daily_counters (
    counter VARCHAR(64) NOT NULL,
    day DATE NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (counter, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
