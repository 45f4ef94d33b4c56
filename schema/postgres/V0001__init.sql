-- opsflow PostgreSQL store, version 1. Append-only: later changes go in V0002__*.sql.
-- Applied by src/postgres/postgres_store.cc under an advisory lock, in one transaction with the
-- bump of opsflow_schema.version. The text columns compare bytes (COLLATE "C"), as SQLite's
-- BINARY does, so ids and names sort and range (starts-with) the same on both stores. JSON
-- documents are kept as text, byte for byte as written.
CREATE TABLE docs (
  kind TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  doc TEXT NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, key)
);

CREATE TABLE workflow_versions (
  version TEXT COLLATE "C" PRIMARY KEY,
  doc TEXT NOT NULL
);

-- seq keeps insertion order (SQLite's rowid): lists without a sort are in commit order.
CREATE TABLE jobs (
  seq BIGSERIAL NOT NULL UNIQUE,
  id TEXT COLLATE "C" PRIMARY KEY,
  workflow_name TEXT COLLATE "C" NOT NULL,
  workflow_version TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  description TEXT COLLATE "C",
  type TEXT COLLATE "C",
  created_by TEXT COLLATE "C",
  created_ms BIGINT NOT NULL,
  last_updated_ms BIGINT NOT NULL,
  start_ms BIGINT,
  end_ms BIGINT,
  progress DOUBLE PRECISION NOT NULL DEFAULT 0,
  groups TEXT NOT NULL DEFAULT '[]',
  variables TEXT NOT NULL DEFAULT '{}',
  errors TEXT NOT NULL DEFAULT '[]',
  state TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT 'null',
  ancestors TEXT NOT NULL DEFAULT '[]',
  watchers TEXT NOT NULL DEFAULT '[]'
);
-- Lists sort by metrics.start_time (newest first) by default; NULLS FIRST matches SQLite's order
-- of missing times, and a backward scan gives DESC NULLS LAST.
CREATE INDEX jobs_status_start ON jobs (status, start_ms NULLS FIRST);
CREATE INDEX jobs_name_start ON jobs (workflow_name, start_ms NULLS FIRST);
CREATE INDEX jobs_start ON jobs (start_ms NULLS FIRST);
CREATE INDEX jobs_end ON jobs (end_ms NULLS FIRST);
-- Child jobs (childJob): a parent's children by the parent's id.
CREATE INDEX jobs_parent ON jobs (((parent::jsonb) ->> 'job'));

-- Iteration ids begin with their job's id (base::IterationUuid), so a job's iterations are one
-- range of the primary key.
CREATE TABLE iterations (
  id TEXT COLLATE "C" PRIMARY KEY,
  job_id TEXT COLLATE "C" NOT NULL,
  task_id TEXT COLLATE "C" NOT NULL,
  iteration INTEGER NOT NULL,
  method TEXT COLLATE "C",
  status TEXT COLLATE "C" NOT NULL,
  finish_state TEXT COLLATE "C",
  start_ms BIGINT,
  end_ms BIGINT,
  incoming TEXT NOT NULL DEFAULT '{}',
  outgoing TEXT NOT NULL DEFAULT '{}',
  error TEXT
);
CREATE INDEX iterations_status ON iterations (status, id);
