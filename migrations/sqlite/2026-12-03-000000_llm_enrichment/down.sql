ALTER TABLE job_enrichment DROP COLUMN llm_error;
ALTER TABLE job_enrichment DROP COLUMN llm_enriched_at;
ALTER TABLE job_enrichment DROP COLUMN llm_completion_tokens;
ALTER TABLE job_enrichment DROP COLUMN llm_prompt_tokens;
ALTER TABLE job_enrichment DROP COLUMN llm_json;
ALTER TABLE job_enrichment DROP COLUMN llm_content_hash;
ALTER TABLE job_enrichment DROP COLUMN llm_model;
