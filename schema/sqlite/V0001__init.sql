-- opsflow embedded store, version 1. Append-only: later changes go in V0002__*.sql.
CREATE TABLE IF NOT EXISTS docs (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  doc TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS workflow_versions (
  version TEXT PRIMARY KEY,
  doc TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  workflow_name TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  status TEXT NOT NULL,
  description TEXT,
  type TEXT,
  created_by TEXT,
  created_ms INTEGER NOT NULL,
  last_updated_ms INTEGER NOT NULL,
  start_ms INTEGER,
  end_ms INTEGER,
  progress REAL NOT NULL DEFAULT 0,
  groups TEXT NOT NULL DEFAULT '[]',
  variables TEXT NOT NULL DEFAULT '{}',
  errors TEXT NOT NULL DEFAULT '[]',
  state TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT 'null',
  ancestors TEXT NOT NULL DEFAULT '[]',
  watchers TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_name_status ON jobs (workflow_name, status);
CREATE INDEX IF NOT EXISTS jobs_start ON jobs (start_ms);
CREATE INDEX IF NOT EXISTS jobs_end ON jobs (end_ms);

-- Iteration ids begin with their job's id (base::IterationUuid), so the primary key clusters a
-- job's iterations together and new rows append instead of landing on random pages.
CREATE TABLE IF NOT EXISTS iterations (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  method TEXT,
  status TEXT NOT NULL,
  finish_state TEXT,
  start_ms INTEGER,
  end_ms INTEGER,
  incoming TEXT NOT NULL DEFAULT '{}',
  outgoing TEXT NOT NULL DEFAULT '{}',
  error TEXT
) WITHOUT ROWID;
