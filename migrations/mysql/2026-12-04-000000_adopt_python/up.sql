-- Adopting the Python version's database (`jobs-bot migrate --adopt`).
-- Kept column-for-column in step with migrations/sqlite.

-- The slug spelling a source's job uids are computed from, when it is not company_slug:
-- the Python version computed uids from the slug as it stored it (capitals included).
ALTER TABLE sources ADD COLUMN uid_slug VARCHAR(255) NULL;

-- The Python version's LLM enrichment, kept as it was; scoring never writes these.
ALTER TABLE job_enrichment
    ADD COLUMN summary MEDIUMTEXT NULL,
    ADD COLUMN skills_json MEDIUMTEXT NULL,
    ADD COLUMN pros MEDIUMTEXT NULL,
    ADD COLUMN cons MEDIUMTEXT NULL,
    ADD COLUMN llm_salary TEXT NULL,
    ADD COLUMN outreach_target TEXT NULL,
    ADD COLUMN llm_tokens INT NULL;
-- (`llm_model` comes with the LLM enrichment migration and is shared.)
