-- Several ingest workers share the sources: a source is leased to one worker at a time
-- (lease_owner until lease_until) and marked done in the current round when written.
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until TEXT;
ALTER TABLE sources ADD COLUMN done_round BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sources_round ON sources (enabled, done_round);
CREATE TABLE ingest_round (
  id INTEGER NOT NULL PRIMARY KEY,
  round BIGINT NOT NULL,
  started_at TEXT NULL
);
INSERT INTO ingest_round (id, round, started_at) VALUES (1, 0, NULL);
