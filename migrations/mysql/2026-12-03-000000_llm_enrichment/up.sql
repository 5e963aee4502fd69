-- LLM enrichment, beside the deterministic analysis in the same row (never instead of it).
-- Kept column-for-column in step with migrations/sqlite.
-- llm_json is `JobInsight` JSON (NULL when no answer validated; llm_error says why);
-- llm_content_hash and llm_model say what it was made from: a job is enriched again when
-- either differs. Tokens as the server reported them.
ALTER TABLE job_enrichment
    ADD COLUMN llm_model VARCHAR(200) NULL,
    ADD COLUMN llm_content_hash VARCHAR(40) NULL,
    ADD COLUMN llm_json LONGTEXT NULL,
    ADD COLUMN llm_prompt_tokens BIGINT NULL,
    ADD COLUMN llm_completion_tokens BIGINT NULL,
    ADD COLUMN llm_enriched_at DATETIME(6) NULL,
    ADD COLUMN llm_error MEDIUMTEXT NULL;
