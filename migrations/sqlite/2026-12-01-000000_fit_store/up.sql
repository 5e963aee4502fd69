-- Fit scoring: profiles, per-job analyses (job_enrichment) and per-(job, profile) fits.
-- Kept column-for-column in step with migrations/mysql.

-- one row per profile (a CV plus preferences); written by `save_profile`
CREATE TABLE profiles (
    profile_key TEXT PRIMARY KEY NOT NULL,
    cv_path TEXT NOT NULL,
    cv_sha256 TEXT,
    preferences_hash TEXT NOT NULL,
    analyzer_version INTEGER NOT NULL,
    -- the CV analysis and the scorer's profile model, JSON
    profile_json TEXT,
    analyzed_at TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL
);

-- the analysis of a job's text, shared by every profile; stale when content_hash differs
-- from jobs.content_hash or analyzer_version from the analyzer's. salary is `Salary` JSON.
ALTER TABLE job_enrichment ADD COLUMN content_hash TEXT;
ALTER TABLE job_enrichment ADD COLUMN analyzer_version INTEGER;
ALTER TABLE job_enrichment ADD COLUMN analysis_json TEXT;

-- the fit of one job for one profile, and its Notion page. No foreign key to profiles:
-- fits are keyed by the profile's name, whether or not its profiles row is written yet.
CREATE TABLE job_fit (
    job_uid TEXT NOT NULL REFERENCES jobs (job_uid) ON DELETE CASCADE,
    profile_key TEXT NOT NULL,
    fit_score SMALLINT NOT NULL,
    -- 'Good' | 'Maybe' | 'No', as the Python version wrote them
    fit_class TEXT NOT NULL,
    -- JSON array of strings
    penalty_flags TEXT NOT NULL,
    -- `FitReasons` JSON
    reasons_json TEXT NOT NULL,
    scorer_version INTEGER NOT NULL,
    input_hash TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    -- written only by `save_link`; a fit's upsert never touches them
    notion_page_id TEXT,
    notion_last_sync TEXT,
    notion_last_error TEXT,
    notion_dismissed BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (job_uid, profile_key)
);
CREATE INDEX job_fit_ranking ON job_fit (profile_key, fit_score);
