-- Fit scoring: profiles, per-job analyses (job_enrichment) and per-(job, profile) fits.
-- Kept column-for-column in step with migrations/sqlite. utf8mb4, binary collation and
-- DATETIME(6) in UTC, as in the init migration.

-- one row per profile (a CV plus preferences); written by `save_profile`
CREATE TABLE profiles (
    profile_key VARCHAR(64) NOT NULL PRIMARY KEY,
    cv_path TEXT NOT NULL,
    cv_sha256 VARCHAR(64) NULL,
    preferences_hash TEXT NOT NULL,
    analyzer_version INT NOT NULL,
    -- the CV analysis and the scorer's profile model, JSON
    profile_json LONGTEXT NULL,
    analyzed_at DATETIME(6) NULL,
    last_error MEDIUMTEXT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- the analysis of a job's text, shared by every profile; stale when content_hash differs
-- from jobs.content_hash or analyzer_version from the analyzer's. salary is `Salary` JSON.
ALTER TABLE job_enrichment
    ADD COLUMN content_hash VARCHAR(40) NULL,
    ADD COLUMN analyzer_version INT NULL,
    ADD COLUMN analysis_json LONGTEXT NULL;

-- the fit of one job for one profile, and its Notion page. No foreign key to profiles:
-- fits are keyed by the profile's name, whether or not its profiles row is written yet.
CREATE TABLE job_fit (
    job_uid VARCHAR(40) NOT NULL,
    profile_key VARCHAR(64) NOT NULL,
    fit_score SMALLINT NOT NULL,
    -- 'Good' | 'Maybe' | 'No', as the Python version wrote them
    fit_class VARCHAR(8) NOT NULL,
    -- JSON array of strings
    penalty_flags TEXT NOT NULL,
    -- `FitReasons` JSON
    reasons_json LONGTEXT NOT NULL,
    scorer_version INT NOT NULL,
    input_hash VARCHAR(64) NOT NULL,
    computed_at DATETIME(6) NOT NULL,
    -- written only by `save_link`; a fit's upsert never touches them
    notion_page_id VARCHAR(64) NULL,
    notion_last_sync DATETIME(6) NULL,
    notion_last_error MEDIUMTEXT NULL,
    notion_dismissed BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (job_uid, profile_key),
    KEY job_fit_ranking (profile_key, fit_score),
    CONSTRAINT job_fit_job_fk FOREIGN KEY (job_uid)
        REFERENCES jobs (job_uid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
