-- Settling a group commit of unknown outcome (the connection broke after COMMIT went out) exactly,
-- also after a failover: every group commit of a store object also writes its own row here, with
-- the number of the attempt. The batch committed if and only if the row holds at least that
-- number. (pg_xact_status alone is not enough: a promoted standby that never saw the transaction
-- may give its id to another one.) src/postgres/postgres_store.cc, SettleUnsureCommit.
CREATE TABLE commit_marks (
  writer TEXT COLLATE "C" PRIMARY KEY,
  seq BIGINT NOT NULL,
  at_ms BIGINT NOT NULL
);
