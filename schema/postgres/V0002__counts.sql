-- Totals without counting: rows per (workflow name, status) and per iteration status. The store
-- keeps them exact in the same transaction as the rows: each group commit adds what its rows did
-- (src/postgres/postgres_store.cc, CommitOnce), once per batch and key, instead of a trigger per
-- row. Lists filtered only by equals on status and/or name read their total here; other filters
-- count with the indexes. Whatever else writes jobs or iterations must keep these too.
CREATE TABLE job_counts (
  workflow_name TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (workflow_name, status)
);
INSERT INTO job_counts SELECT workflow_name, status, COUNT(*) FROM jobs GROUP BY 1, 2;

CREATE TABLE iteration_counts (
  status TEXT COLLATE "C" PRIMARY KEY,
  n BIGINT NOT NULL
);
INSERT INTO iteration_counts SELECT status, COUNT(*) FROM iterations GROUP BY 1;
