DROP TABLE ingest_round;
DROP INDEX sources_round;
ALTER TABLE sources DROP COLUMN done_round;
ALTER TABLE sources DROP COLUMN lease_until;
ALTER TABLE sources DROP COLUMN lease_owner;
