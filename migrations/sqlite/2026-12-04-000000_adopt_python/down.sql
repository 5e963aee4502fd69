ALTER TABLE job_enrichment DROP COLUMN llm_tokens;
ALTER TABLE job_enrichment DROP COLUMN outreach_target;
ALTER TABLE job_enrichment DROP COLUMN llm_salary;
ALTER TABLE job_enrichment DROP COLUMN cons;
ALTER TABLE job_enrichment DROP COLUMN pros;
ALTER TABLE job_enrichment DROP COLUMN skills_json;
ALTER TABLE job_enrichment DROP COLUMN summary;
ALTER TABLE sources DROP COLUMN uid_slug;
