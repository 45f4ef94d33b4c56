-- Lists over millions of jobs (docs/DECISIONS.md, "A million jobs"). Append-only.
-- Job lists sort by metrics.start_time (newest first) by default: an index that ends in start_ms
-- after the equality column gives the page in index order, without sorting every match.
DROP INDEX IF EXISTS jobs_status;
DROP INDEX IF EXISTS jobs_name_status;
CREATE INDEX IF NOT EXISTS jobs_status_start ON jobs (status, start_ms);
CREATE INDEX IF NOT EXISTS jobs_name_start ON jobs (workflow_name, start_ms);
-- Task lists page by id; this one (it holds the id, the primary key) serves equals[status].
CREATE INDEX IF NOT EXISTS iterations_status ON iterations (status);

-- Totals without counting: rows per (workflow name, status), kept by triggers in the same
-- transaction as the rows. Lists filtered only by equals on status and/or name read their total
-- here; every other filter counts with the indexes above.
CREATE TABLE IF NOT EXISTS job_counts (
  workflow_name TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (workflow_name, status)
) WITHOUT ROWID;
DELETE FROM job_counts;
INSERT INTO job_counts SELECT workflow_name, status, COUNT(*) FROM jobs GROUP BY 1, 2;
CREATE TRIGGER IF NOT EXISTS job_counts_ins AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts VALUES (new.workflow_name, new.status, 1)
    ON CONFLICT (workflow_name, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS job_counts_upd AFTER UPDATE OF status, workflow_name ON jobs
  WHEN old.status IS NOT new.status OR old.workflow_name IS NOT new.workflow_name BEGIN
  UPDATE job_counts SET n = n - 1 WHERE workflow_name = old.workflow_name AND status = old.status;
  INSERT INTO job_counts VALUES (new.workflow_name, new.status, 1)
    ON CONFLICT (workflow_name, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS job_counts_del AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET n = n - 1 WHERE workflow_name = old.workflow_name AND status = old.status;
END;

CREATE TABLE IF NOT EXISTS iteration_counts (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;
DELETE FROM iteration_counts;
INSERT INTO iteration_counts SELECT status, COUNT(*) FROM iterations GROUP BY 1;
CREATE TRIGGER IF NOT EXISTS iteration_counts_ins AFTER INSERT ON iterations BEGIN
  INSERT INTO iteration_counts VALUES (new.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS iteration_counts_upd AFTER UPDATE OF status ON iterations
  WHEN old.status IS NOT new.status BEGIN
  UPDATE iteration_counts SET n = n - 1 WHERE status = old.status;
  INSERT INTO iteration_counts VALUES (new.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS iteration_counts_del AFTER DELETE ON iterations BEGIN
  UPDATE iteration_counts SET n = n - 1 WHERE status = old.status;
END;
