-- Child jobs (childJob): find a parent's children by the parent's id, for recovery after a
-- restart and for cancel/pause propagation.
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (json_extract(parent, '$.job'));
