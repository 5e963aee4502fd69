ALTER TABLE jobs
    DROP INDEX jobs_source,
    ADD INDEX jobs_source (ats_type, company_slug, closed_at);
