-- Totals without counting: rows per (workflow name, status) and per iteration status, kept by
-- triggers in the same transaction as the rows (as schema/sqlite/V0003). Lists filtered only by
-- equals on status and/or name read their total here; other filters count with the indexes.
CREATE TABLE job_counts (
  workflow_name TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (workflow_name, status)
);
INSERT INTO job_counts SELECT workflow_name, status, COUNT(*) FROM jobs GROUP BY 1, 2;

CREATE FUNCTION opsflow_job_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE job_counts SET n = n - 1
      WHERE workflow_name = OLD.workflow_name AND status = OLD.status;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO job_counts VALUES (NEW.workflow_name, NEW.status, 1)
      ON CONFLICT (workflow_name, status) DO UPDATE SET n = job_counts.n + 1;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER job_counts_ins_del AFTER INSERT OR DELETE ON jobs
  FOR EACH ROW EXECUTE FUNCTION opsflow_job_counts();
CREATE TRIGGER job_counts_upd AFTER UPDATE OF status, workflow_name ON jobs
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR
                     OLD.workflow_name IS DISTINCT FROM NEW.workflow_name)
  EXECUTE FUNCTION opsflow_job_counts();

CREATE TABLE iteration_counts (
  status TEXT COLLATE "C" PRIMARY KEY,
  n BIGINT NOT NULL
);
INSERT INTO iteration_counts SELECT status, COUNT(*) FROM iterations GROUP BY 1;

CREATE FUNCTION opsflow_iteration_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE iteration_counts SET n = n - 1 WHERE status = OLD.status;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO iteration_counts VALUES (NEW.status, 1)
      ON CONFLICT (status) DO UPDATE SET n = iteration_counts.n + 1;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER iteration_counts_ins_del AFTER INSERT OR DELETE ON iterations
  FOR EACH ROW EXECUTE FUNCTION opsflow_iteration_counts();
CREATE TRIGGER iteration_counts_upd AFTER UPDATE OF status ON iterations
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION opsflow_iteration_counts();
