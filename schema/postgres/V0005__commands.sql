-- Cluster: a request for a job that another process drives (pause, resume, cancel, retry,
-- continue, revert, finishing a manual task) is handed to that process here (README "Cluster").
-- The asking process inserts a row addressed to the owner's lease token; the owner takes it,
-- acts, and writes the answer; the asker reads the answer and deletes the row. Rows of a lease
-- that is gone are answered by the asker as unavailable.
CREATE TABLE commands (
  id BIGSERIAL PRIMARY KEY,
  target BIGINT NOT NULL,
  job_id TEXT COLLATE "C" NOT NULL,
  body TEXT NOT NULL,
  taken BOOLEAN NOT NULL DEFAULT FALSE,
  reply_code INTEGER,
  reply_message TEXT,
  created_ms BIGINT NOT NULL
);
CREATE INDEX commands_target ON commands (target) WHERE NOT taken;
