#!/usr/bin/env python3
"""Database failover (issue 12, docs/DEPLOY.md "PostgreSQL high availability"): one opsflow on a
PostgreSQL 15 primary with a synchronous standby (tests/pg_ha.py), given the multi-host URI with
target_session_attrs=read-write. Clients start jobs continuously (a delay between steps, so
jobs are running at the kill); mid-run the primary is SIGKILLed and the standby promoted with
`pg_ctl promote`, as Patroni would; clients go on starting jobs, retrying a start that got a 5xx
or a connection error. Then every start acknowledged with 200 names a job that completes exactly
once: status complete, each task run once, no second job for one start. Prints
`RESULT name=opsflow scenario=pg-failover takeover_ms=...`: from the kill to the first time a
job that was running at the kill reads complete (GET job reads the store, so the completion is
committed on the promoted standby). Exits 77 (skipped) when PostgreSQL 15 is missing."""
import collections
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
import pg_ha  # noqa: E402

WORKFLOW = "pg-failover"
STARTERS = 4
BEFORE_KILL_S = 3.0   # load before the kill
AFTER_PROMOTE_S = 5.0  # load after the promotion
GIVE_UP_S = 60.0      # one start retried this long at most


def task(name, incoming, summary):
    return {"name": name, "summary": summary, "app": "WorkFlowEngine", "location": "Application",
            "type": "operation", "groups": [],
            "variables": {"incoming": incoming, "outgoing": {}, "error": "", "decorators": []}}


def workflow():
    tasks = {
        "workflow_start": {"name": "workflow_start", "groups": []},
        "a001": task("newVariable", {"name": "stage", "value": "one"}, "stage one"),
        "d001": task("delay", {"time": 0.5}, "wait"),
        "a002": task("newVariable", {"name": "stage", "value": "two"}, "stage two"),
        "d002": task("delay", {"time": 0.3}, "wait again"),
        "a003": task("newVariable", {"name": "stage", "value": "three"}, "stage three"),
        "workflow_end": {"name": "workflow_end", "groups": []},
    }
    order = ["workflow_start", "a001", "d001", "a002", "d002", "a003", "workflow_end"]
    transitions = {a: {b: {"type": "standard", "state": "success"}}
                   for a, b in zip(order, order[1:])}
    transitions["workflow_end"] = {}
    return {"name": WORKFLOW, "type": "automation", "canvasVersion": 3, "groups": [],
            "tasks": tasks, "transitions": transitions}


TASKS = {"workflow_start", "a001", "d001", "a002", "d002", "a003", "workflow_end"}


class Load:
    """STARTERS threads starting jobs, each start with its own tag, retried until answered 200."""

    def __init__(self, srv):
        self.srv = srv
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}        # tag -> job id
        self.acked_at = {}     # tag -> time.time() of its 200
        self.phase = {}        # tag -> before|during|after (when its first try was sent)
        self.retries = collections.Counter()  # what made a start be tried again
        self.lost = []         # starts given up (never acknowledged)
        self.now_phase = "before"
        self.next = 0

    def starter(self):
        while not self.stop.is_set():
            with self.lock:
                tag = "t%05d" % self.next
                self.next += 1
                self.phase[tag] = self.now_phase
            deadline = time.monotonic() + GIVE_UP_S
            while True:
                try:
                    r = self.srv.start_job(WORKFLOW, {"tag": tag}, timeout=30)
                    if r.status == 200:
                        with self.lock:
                            self.acked[tag] = r.json()["data"]["_id"]
                            self.acked_at[tag] = time.time()
                        break
                    why = "HTTP %d" % r.status
                    if r.status < 500:
                        with self.lock:
                            self.lost.append("%s: %r" % (tag, r))
                        break
                except OSError as e:
                    why = type(e).__name__
                with self.lock:
                    self.retries[why] += 1
                if time.monotonic() > deadline:
                    with self.lock:
                        self.lost.append("%s: no 200 in %ds (last %s)" % (tag, GIVE_UP_S, why))
                    break
                time.sleep(0.05)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.starter, daemon=True) for _ in range(STARTERS)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=GIVE_UP_S + 40)
        return False


def first_completion(srv, load, killed_at, out):
    """Polls the jobs acknowledged in the last 0.7 s before the kill (still running then: the
    workflow waits 0.8 s) until one reads complete (GET job reads the store: committed state);
    out["ms"] = from the kill to then."""
    with load.lock:
        running = [load.acked[t] for t, at in load.acked_at.items()
                   if killed_at - 0.7 <= at <= killed_at][-20:]
    deadline = time.monotonic() + 90
    while running and time.monotonic() < deadline:
        for job_id in running:
            try:
                r = srv.request("GET", "/operations-manager/jobs/" + job_id, timeout=5)
            except OSError:
                continue
            if r.status == 200 and r.json()["data"]["status"] == "complete":
                out["ms"] = (time.time() - killed_at) * 1000
                out["job"] = job_id
                return
        time.sleep(0.01)


def check_jobs(srv, load, failures):
    """Every acknowledged job completes once; returns {job id: end_time ms}."""
    ends = {}
    deadline = time.monotonic() + 60  # for all of them together
    for tag, job_id in sorted(load.acked.items()):
        r = srv.request("GET", "/operations-manager/jobs/" + job_id)
        if r.status == 404:
            failures.append("job %s (%s, %s) was acknowledged and is not in the store"
                            % (job_id, tag, load.phase[tag]))
            continue
        try:
            job = srv.wait_job_data(job_id, timeout=max(1, deadline - time.monotonic()))
        except RuntimeError as e:
            failures.append("job %s (%s, %s): %s" % (job_id, tag, load.phase[tag], e))
            continue
        if job["status"] != "complete" or job["variables"].get("tag") != tag \
                or job["variables"].get("stage") != "three":
            failures.append("job %s (%s, %s) ended %s with %r"
                            % (job_id, tag, load.phase[tag], job["status"], job["variables"]))
            continue
        ends[job_id] = (job.get("metrics") or {}).get("end_time") or 0
        r, counts = srv.complete_counts(job_id)
        if counts is None:
            failures.append("tasks of %s: %r" % (job_id, r))
        elif set(counts) != TASKS or any(n != 1 for n in counts.values()):
            failures.append("job %s (%s, %s) ran its tasks %r"
                            % (job_id, tag, load.phase[tag], dict(counts)))
    # No second job for one start: as many jobs as acknowledged starts, one per tag.
    total = srv.job_count()
    if total != len(load.acked):
        failures.append("%d jobs in the store for %d acknowledged starts (duplicates or strays)"
                        % (total, len(load.acked)))
    if len(set(load.acked.values())) != len(load.acked):
        failures.append("one job id acknowledged for two starts")
    return ends


def cut_replication(ha):
    """Stops the standby from receiving WAL for a few seconds: the walsender is terminated twice
    (the standby reconnects at once the first time, then only after wal_retrieve_retry_interval,
    5 s). Commits on the primary then wait for the standby (synchronous_commit=on), so the
    commit in flight at the kill is one whose outcome opsflow does not know and whose
    transaction id the promoted standby has never seen."""
    for _ in range(2):
        ha.psql("primary", "SELECT pg_terminate_backend(pid) FROM pg_stat_replication")
        time.sleep(0.3)


def main():
    ap = ic.arg_parser()
    ap.add_argument("--cut-replication", action="store_true",
                    help="kill while a commit waits for the standby, then write on the new "
                         "primary as another process would (the unsure-commit case)")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    failures = []
    # ctest's timeout and Ctrl-C: unwind, so both servers are stopped and the folders removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = tempfile.mkdtemp(prefix="opsflow-pg-failover-")
    srv = None
    ha = None
    try:
        try:
            ha = pg_ha.PgHa(keep=bool(os.environ.get(ic.KEEP_ENV))).start()
        except pg_ha.Missing as e:
            print("pg_failover: %s: skipped" % e)
            return 77
        print("pg_failover: primary 127.0.0.1:%d, synchronous standby 127.0.0.1:%d"
              % (ha.ports["primary"], ha.ports["standby"]))
        srv = ic.Server(binary, extra_args=["--store", ha.url],
                        data_dir=os.path.join(root, "data"), log_name="opsflow").start()
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [workflow()]})
        ic.check(r.status == 200, "import: %r" % r)
        with Load(srv) as load:
            time.sleep(BEFORE_KILL_S)
            with load.lock:
                load.now_phase = "during"
                acked_before = len(load.acked)
            if args.cut_replication:
                cut_replication(ha)
            killed_at = ha.kill_primary()
            takeover = {}
            watcher = threading.Thread(target=first_completion, daemon=True,
                                       args=(srv, load, killed_at, takeover))
            watcher.start()
            ha.promote()
            promoted_at = time.time()
            with load.lock:
                load.now_phase = "after"
            if args.cut_replication:
                time.sleep(1)
                # Another writer on the new primary (another opsflow process, an operator).
                ha.psql("standby", "CREATE TABLE another_writer (x int)")
            time.sleep(AFTER_PROMOTE_S)
            watcher.join(timeout=90)
        ic.check(srv.alive(), "opsflow exited during the failover")
        print("pg_failover: %d starts acknowledged before the kill, %d in all; promote took %d ms;"
              " retried starts: %s" % (acked_before, len(load.acked),
                                       (promoted_at - killed_at) * 1000, dict(load.retries)))
        ic.check(acked_before > 0, "no job was acknowledged before the kill")
        for lost in load.lost[:10]:
            failures.append("start not acknowledged: " + lost)
        phases = collections.Counter(load.phase[t] for t in load.acked)
        ic.check(phases["after"] > 0, "no start acknowledged after the promotion: %r" % phases)
        ends = check_jobs(srv, load, failures)
        ic.check("ms" in takeover, "no job running at the kill was seen complete after it")
        takeover_ms = takeover["ms"]
        print("pg_failover: %d jobs complete once each (%s by when their start was sent)"
              % (len(ends), dict(phases)))
        print("RESULT name=opsflow scenario=pg-failover takeover_ms=%d promote_ms=%d jobs=%d"
              % (takeover_ms, (promoted_at - killed_at) * 1000, len(ends)))
        ic.check(srv.alive(), "opsflow exited after the failover")
    except Exception as e:  # noqa: BLE001 - reported as a failure
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        if failures:
            if srv is not None:
                print("--- opsflow log (tail) ---\n" + srv.log_tail(6000))
            if ha is not None:
                for name in ("primary", "standby"):
                    print("--- %s log (tail) ---\n%s" % (name, ha.log_tail(name)))
        if srv is not None:
            srv.kill()
        if ha is not None:
            ha.__exit__(None, None, None)
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    return ic.report("pg_failover", failures, most=20)


if __name__ == "__main__":
    sys.exit(main())
