DROP TABLE job_fit;
ALTER TABLE job_enrichment
    DROP COLUMN analysis_json,
    DROP COLUMN analyzer_version,
    DROP COLUMN content_hash;
DROP TABLE profiles;
