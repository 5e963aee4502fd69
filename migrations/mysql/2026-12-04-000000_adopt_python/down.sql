ALTER TABLE job_enrichment
    DROP COLUMN llm_tokens,
    DROP COLUMN outreach_target,
    DROP COLUMN llm_salary,
    DROP COLUMN cons,
    DROP COLUMN pros,
    DROP COLUMN skills_json,
    DROP COLUMN summary;
ALTER TABLE sources DROP COLUMN uid_slug;
