-- Cluster event streams (README "Cluster", src/postgres/pg_events.h): a job or task event too
-- large for a NOTIFY payload (PostgreSQL takes less than 8000 bytes) is kept here and its id
-- notified on the channel opsflow_events; every process deletes its rows after a minute.
CREATE TABLE opsflow_events (
  id BIGSERIAL PRIMARY KEY,
  created TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  payload TEXT NOT NULL
);
CREATE INDEX opsflow_events_created ON opsflow_events (created);
