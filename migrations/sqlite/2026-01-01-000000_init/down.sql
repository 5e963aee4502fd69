DROP TABLE daily_counters;
DROP TABLE job_enrichment;
DROP TABLE jobs;
DROP TABLE sources;
