-- Adopting the Python version's database (`jobs-bot migrate --adopt`, MySQL only; the
-- columns exist here too so that both backends share one schema).
-- Kept column-for-column in step with migrations/mysql.

-- The slug spelling a source's job uids are computed from, when it is not company_slug.
ALTER TABLE sources ADD COLUMN uid_slug TEXT;

-- The Python version's LLM enrichment, kept as it was; scoring never writes these.
ALTER TABLE job_enrichment ADD COLUMN summary TEXT;
ALTER TABLE job_enrichment ADD COLUMN skills_json TEXT;
ALTER TABLE job_enrichment ADD COLUMN pros TEXT;
ALTER TABLE job_enrichment ADD COLUMN cons TEXT;
ALTER TABLE job_enrichment ADD COLUMN llm_salary TEXT;
ALTER TABLE job_enrichment ADD COLUMN outreach_target TEXT;
-- (`llm_model` comes with the LLM enrichment migration and is shared.)
ALTER TABLE job_enrichment ADD COLUMN llm_tokens INTEGER;
