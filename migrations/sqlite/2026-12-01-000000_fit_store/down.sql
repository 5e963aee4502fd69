DROP TABLE job_fit;
ALTER TABLE job_enrichment DROP COLUMN analysis_json;
ALTER TABLE job_enrichment DROP COLUMN analyzer_version;
ALTER TABLE job_enrichment DROP COLUMN content_hash;
DROP TABLE profiles;
