-- Many processes on one database (SPEC §8, README "Cluster"). Each process holds a lease row in
-- `nodes` under a fencing token it gets from `node_tokens` when it joins; it renews the row while
-- it lives. A job is driven by the process whose token is in its `owner` column (NULL: nobody,
-- as a single-process store leaves it, or a process that stopped cleanly). Ownership moves only
-- when the owner's lease row is gone: a process takes over an expired lease by deleting its row
-- (which waits for any group commit of that process still running, see opsflow_fence) and then
-- claims its jobs. Every group commit of a clustered process first calls opsflow_fence with its
-- token, so a process whose lease was taken writes nothing more.
CREATE SEQUENCE node_tokens;

CREATE TABLE nodes (
  token BIGINT PRIMARY KEY,
  node_id TEXT COLLATE "C" NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  started_ms BIGINT NOT NULL,
  renewed_ms BIGINT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  jobs BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE jobs ADD COLUMN owner BIGINT;
-- The job tree a job belongs to (its root's id): a tree is driven by one process, so a parent and
-- its children move together.
ALTER TABLE jobs ADD COLUMN root_id TEXT COLLATE "C"
  GENERATED ALWAYS AS (COALESCE((ancestors::jsonb) ->> 0, id)) STORED;
CREATE INDEX jobs_active_owner ON jobs (owner) WHERE status IN ('running', 'paused');
CREATE INDEX jobs_root ON jobs (root_id) WHERE status IN ('running', 'paused');

-- Raises OFL01 unless lease `t` is held; holds a share lock on its row until the transaction
-- ends, so a takeover (which deletes the row) waits for the commit that called it.
CREATE FUNCTION opsflow_fence(t BIGINT) RETURNS VOID AS $$
BEGIN
  PERFORM 1 FROM nodes WHERE token = t FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'opsflow: the lease of token % was taken over by another process', t
      USING ERRCODE = 'OFL01';
  END IF;
END
$$ LANGUAGE plpgsql;
