#!/usr/bin/env python3
"""`opsflow serve --store postgres://...` end to end (README "PostgreSQL store"): a server on the
PostgreSQL named by OPSFLOW_TEST_PG_URL (scripts/pg-test-server starts a throwaway one) imports
examples/bench-seq10.json, runs jobs to completion and reads them back; it is stopped and a new
server on the same database reads the same jobs, lists and documents, and runs one more job.
The data folder holds no SQLite store. Exits 77 (skipped) when OPSFLOW_TEST_PG_URL is unset."""
import os
import signal
import sys
import tempfile
import shutil
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402


def wait_complete(srv, job_id, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        r = srv.request("GET", "/operations-manager/jobs/" + job_id)
        ic.check(r.status == 200, "GET job %s: %r" % (job_id, r))
        job = r.json()["data"]
        if job["status"] not in ("running", "paused"):
            return job
        if time.monotonic() > deadline:
            raise AssertionError("job %s still %s after %ds" % (job_id, job["status"], timeout))
        time.sleep(0.05)


def run_jobs(srv, tags):
    out = {}
    for tag in tags:
        items = list(range(len(tag) % 4))
        job_id = srv.start_job_id("bench-seq10", {"host": tag, "items": items})
        out[job_id] = (tag, items)
    for job_id, (tag, items) in out.items():
        job = wait_complete(srv, job_id)
        ic.check(job["status"] == "complete", "job %s ended %s" % (job_id, job["status"]))
        v = job["variables"]
        ic.check(v.get("host") == tag and v.get("count") == len(items)
                 and v.get("stage") == "step-10",
                 "job %s variables %r" % (job_id, v))
    return out


def snapshot(srv, ids):
    jobs = {}
    for job_id in ids:
        r = srv.request("GET", "/operations-manager/jobs/" + job_id)
        ic.check(r.status == 200, "GET job %s: %r" % (job_id, r))
        d = r.json()["data"]
        jobs[job_id] = (d["status"], d["variables"], d["name"])
    r = srv.request("GET", "/operations-manager/jobs?equals[status]=complete&limit=1")
    ic.check(r.status == 200, "list: %r" % r)
    total = r.json()["metadata"]["total"]
    r = srv.request("GET", "/automation-studio/workflows/detailed/bench-seq10")
    ic.check(r.status == 200, "workflow document: %r" % r)
    return jobs, total


def main():
    args = ic.arg_parser().parse_args()
    url = os.environ.get("OPSFLOW_TEST_PG_URL", "")
    if not url:
        print("pg_serve: OPSFLOW_TEST_PG_URL is not set (scripts/pg-test-server): skipped")
        return 77
    binary = os.path.abspath(args.binary)
    failures = []
    root = tempfile.mkdtemp(prefix="opsflow-pg-serve-")
    data = os.path.join(root, "data")
    store = ["--store", url]
    srv = None
    try:
        srv = ic.Server(binary, extra_args=store, data_dir=data, log_name="first").start()
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json"))
        first = run_jobs(srv, ["pg-a", "pg-bb", "pg-ccc"])
        before = snapshot(srv, first)
        ic.check(before[1] == 3, "3 complete jobs listed, got %d" % before[1])
        srv.kill(signal.SIGTERM)
        ic.check(not os.path.exists(os.path.join(data, "opsflow.db")),
                 "the data folder holds a SQLite store: %r" % os.listdir(data))

        srv = ic.Server(binary, extra_args=store, data_dir=data, log_name="second").start()
        after = snapshot(srv, first)
        ic.check(after == before, "after the restart %r, before %r" % (after, before))
        run_jobs(srv, ["pg-after"])
        ic.check(snapshot(srv, first)[1] == 4, "4 complete jobs after one more")
        print("pg_serve: %d jobs read back equal after a restart" % len(first))
    except Exception as e:  # noqa: BLE001 - reported as a failure
        failures.append("%s: %s" % (type(e).__name__, e))
        for name in sorted(os.listdir(root)):
            if name.endswith(".log"):
                with open(os.path.join(root, name), "rb") as f:
                    print("--- %s (tail) ---\n%s" % (name, f.read()[-3000:].decode("utf-8", "replace")))
    finally:
        if srv is not None:
            srv.kill()
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    return ic.report("pg_serve", failures)


if __name__ == "__main__":
    sys.exit(main())
