ALTER TABLE job_enrichment
    DROP COLUMN llm_error,
    DROP COLUMN llm_enriched_at,
    DROP COLUMN llm_completion_tokens,
    DROP COLUMN llm_prompt_tokens,
    DROP COLUMN llm_json,
    DROP COLUMN llm_content_hash,
    DROP COLUMN llm_model;
