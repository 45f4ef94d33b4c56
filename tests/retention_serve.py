#!/usr/bin/env python3
"""Retention end to end (README "Retention and archive"): a first server runs jobs of two
workflows and stops; a second one on the same store with `--retain-finished 1ms
--retain-workflow keep=30d --archive-dir DIR` deletes the finished jobs of `plain` (archived
first) and keeps those of `keep` (its own rule). Bad --retain-workflow values are refused at
start. On the embedded store by default; with --postgres on the PostgreSQL named by
OPSFLOW_TEST_PG_URL (scripts/pg-test-server; exits 77, skipped, when unset)."""
import gzip
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402


def workflow(name):
    return {"name": name, "type": "automation", "canvasVersion": 3, "groups": [], "tags": [],
            "tasks": {"workflow_start": {"name": "workflow_start", "groups": []},
                      "workflow_end": {"name": "workflow_end", "groups": []}},
            "transitions": {"workflow_start": {"workflow_end": {"type": "standard",
                                                                "state": "success"}},
                            "workflow_end": {}}}


def wait_until(what, cond, timeout=30):
    """Polls cond() until it holds; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("%s: not after %ds" % (what, timeout))
        time.sleep(0.05)


def status_of(srv, job_id):
    r = srv.request("GET", "/operations-manager/jobs/" + job_id)
    if r.status == 404:
        return None
    ic.check(r.status == 200, "GET job %s: %r" % (job_id, r))
    return r.json()["data"]["status"]


def refused(binary, data, store, args, needle):
    env = dict(os.environ, OPSFLOW_ADMIN_USER=ic.ADMIN_USER, OPSFLOW_ADMIN_PASSWORD=ic.ADMIN_PASSWORD)
    p = subprocess.run([binary, "serve", "--listen", "127.0.0.1:0", "--data", data] + store + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30, env=env)
    out = p.stdout.decode("utf-8", "replace")
    ic.check(p.returncode != 0 and needle in out,
             "serve %s: expected a refusal naming %r, got rc %d: %s" % (args, needle, p.returncode,
                                                                          out[-500:]))


def main():
    ap = ic.arg_parser()
    ap.add_argument("--postgres", action="store_true", help="on OPSFLOW_TEST_PG_URL")
    args = ap.parse_args()
    store = []
    if args.postgres:
        url = os.environ.get("OPSFLOW_TEST_PG_URL", "")
        if not url:
            print("retention_serve: OPSFLOW_TEST_PG_URL is not set (scripts/pg-test-server): skipped")
            return 77
        store = ["--store", url]
    binary = os.path.abspath(args.binary)
    failures = []
    root = tempfile.mkdtemp(prefix="opsflow-retention-")
    data = os.path.join(root, "data")
    archive = os.path.join(root, "archive")
    os.makedirs(archive)
    srv = None
    try:
        refused(binary, data, store, ["--retain-workflow", "keep"], "NAME=DURATION")
        refused(binary, data, store, ["--retain-workflow", "keep=soon"], "is not a duration")
        refused(binary, data, store, ["--retain-workflow", "keep=1d", "--retain-workflow",
                                      "keep=2d"], "given twice")

        srv = ic.Server(binary, extra_args=store, data_dir=data, log_name="first").start()
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [workflow("plain"), workflow("keep")]})
        ic.check(r.status == 200, "import: %r" % r)
        plain = [srv.start_job_id("plain") for _ in range(3)]
        keep = [srv.start_job_id("keep")]
        for j in plain + keep:
            wait_until("job %s complete" % j, lambda j=j: status_of(srv, j) == "complete")
        srv.kill(signal.SIGTERM)

        srv = ic.Server(binary, data_dir=data, log_name="second",
                        extra_args=store + ["--retain-finished", "1ms", "--retain-workflow",
                                            "keep=30d", "--archive-dir", archive]).start()
        for j in plain:
            wait_until("job %s deleted" % j, lambda j=j: status_of(srv, j) is None)
        for j in keep:
            ic.check(status_of(srv, j) == "complete", "job %s of `keep` was deleted" % j)
        r = srv.request("GET", "/operations-manager/jobs?limit=1")
        ic.check(r.status == 200 and r.json()["metadata"]["total"] == 1,
                 "one job left listed: %r" % r)
        files = glob.glob(os.path.join(archive, "opsflow-archive-*.jsonl.gz"))
        ic.check(len(files) == 1, "one archive file, got %r" % files)
        with gzip.open(files[0], "rt") as f:
            text = f.read()
        for j in plain:
            ic.check(j in text, "job %s is not in the archive" % j)
        ic.check(keep[0] not in text, "the kept job was archived")
        print("retention_serve (%s): %d jobs deleted and archived, 1 kept by its workflow rule"
              % ("postgres" if store else "sqlite", len(plain)))
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
    return ic.report("retention_serve", failures)


if __name__ == "__main__":
    sys.exit(main())
