#!/usr/bin/env python3
"""Event streams across a cluster (README "Cluster", issue 12): two `opsflow serve --store
postgres://...` processes on one PostgreSQL, A and B. Jobs are started on A (A drives them);
GET /operations-manager/events on B must show their events via LISTEN/NOTIFY:

  * a stream on B as admin gets the job's events (jobStart, taskStart/taskComplete of each task,
    jobComplete) in the same order and with the same data (but `seq`) as a stream on A; the
    delay from A's stream to B's is printed (not asserted);
  * a stream on B as a user outside the job's group gets none of them (GBAC as for local
    events), while it gets a public job's events that A ran after (so nothing was just late);
  * a job with a ~20 KB variable: its events arrive too; so do those of a workflow with a
    9000-character name (each larger than a NOTIFY payload: through the table);
  * an eventSystem trigger on jobComplete, live on both processes, fires exactly once per
    completed job, on the process that drove it, although both processes see the event.

A stream sees another process's events once that process has heard of the stream (a heartbeat
on the feed, milliseconds): the test waits for a warm-up job's events on B before it starts.
Exits 77 (skipped) when OPSFLOW_TEST_PG_URL is unset (scripts/pg-test-server sets it)."""
import os
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_failover as cf  # noqa: E402
import itest_common as ic  # noqa: E402
from events_stream import SseClient  # noqa: E402
from itest_common import check  # noqa: E402

STEPS = cf.workflow("CE Steps", {
    "c1": cf.task("stringConcat", {"str": "$var.job.tag", "stringN": ["-a"]},
                  {"combinedStrings": "$var.job.a"}),
    "d1": cf.task("delay", {"time": 0.3}, {"time_in_milliseconds": None}, type="operation"),
    "c2": cf.task("stringConcat", {"str": "$var.job.tag", "stringN": ["-b"]},
                  {"combinedStrings": "$var.job.b"})}, ["c1", "d1", "c2"])
TARGET = cf.workflow("CE Target", {
    "c1": cf.task("stringConcat", {"str": "fired", "stringN": ["!"]},
                  {"combinedStrings": "$var.job.out"})}, ["c1"])
# A workflow whose name alone makes each of its events larger than a NOTIFY payload (8000
# bytes): they go through the table opsflow_events.
LONG = cf.workflow("CE Long " + "n" * 9000, {
    "c1": cf.task("stringConcat", {"str": "$var.job.tag", "stringN": ["-a"]},
                  {"combinedStrings": "$var.job.a"})}, ["c1"])
TIMEOUT_S = 30


class Collector:
    """Reads a stream on its own thread, keeping every event with the time it arrived."""

    def __init__(self, client):
        self.client, self.events, self.error = client, [], None
        self.cv = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            while True:
                ev = self.client.next_event()
                with self.cv:
                    self.events.append((time.monotonic(), ev))
                    self.cv.notify_all()
        except Exception as e:  # noqa: BLE001  (closed at the end)
            with self.cv:
                self.error = e
                self.cv.notify_all()

    def of_job(self, job):
        with self.cv:
            return [(t, e) for t, e in self.events if e["data"].get("jobId") == job]

    def wait_end(self, job):
        """The events of `job` up to its jobComplete/jobError."""
        deadline = time.monotonic() + TIMEOUT_S
        with self.cv:
            while True:
                evs = [(t, e) for t, e in self.events if e["data"].get("jobId") == job]
                if any(e["event"] in ("jobComplete", "jobError") for _, e in evs):
                    return evs
                check(self.error is None, "stream ended: %r" % self.error)
                left = deadline - time.monotonic()
                check(left > 0, "no end of job %s on the stream; its events: %r"
                      % (job, [e["event"] for _, e in evs]))
                self.cv.wait(left)

    def close(self):
        self.client.close()


def shape(evs):
    """What a stream says of a job, but the per-process seq (and the ids built from it)."""
    out = []
    for _, e in evs:
        d = dict(e["data"])
        d.pop("seq", None)
        out.append((e["event"], tuple(sorted(d.items()))))
    return out


def targets_for(node, source_job):
    r = node.request("GET", "/operations-manager/jobs?limit=1000&equals[name]=CE%20Target")
    check(r.status == 200, "list targets: %r" % r)
    return [j for j in r.json()["data"]
            if (j.get("variables", {}).get("job") or {}).get("_id") == source_job]


def wait_target(node, source_job, timeout=TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if targets_for(node, source_job):
            return True
        time.sleep(0.05)
    return False


def setup_accounts(a):
    gid = {}
    for g in ("ce-g1", "ce-g2"):
        r = a.request("POST", "/authorization/groups", {"name": g})
        check(r.status == 200, "group %s: %r" % (g, r))
        gid[g] = r.json()["data"]["_id"] if "data" in r.json() else r.json()["_id"]
    r = a.request("POST", "/authorization/accounts",
                  {"username": "ce-outsider", "password": "ce-outsider-pass-1",
                   "groups": ["ce-g2"]})
    check(r.status == 200, "account: %r" % r)
    return gid


def arm_trigger(a, b, gid):
    """An eventSystem trigger on jobComplete starting CE Target (its automation sees jobs of
    ce-g1 and public ones); returns once it is live on both processes (each has fired it for a
    job of its own)."""
    r = a.request("POST", "/operations-manager/automations",
                  {"name": "ce-on-complete", "componentName": "CE Target",
                   "gbac": {"read": [], "write": [gid["ce-g1"]]}})
    check(r.status == 200, "automation: %r" % r)
    aid = r.json()["data"]["_id"]
    r = a.request("POST", "/operations-manager/triggers",
                  {"name": "ce-on-complete", "type": "eventSystem", "actionType": "automations",
                   "actionId": aid, "enabled": True,
                   "source": "@itential/app-workflow_engine", "topic": "jobComplete"})
    check(r.status == 200, "trigger: %r" % r)
    for node in (b, a):
        for _ in range(10):  # triggers are read again each second
            probe = node.start_job_id("CE Steps", {"tag": "probe"})
            node.wait_job(probe)
            if wait_target(node, probe, timeout=3):
                break
        else:
            raise AssertionError("the trigger never fired on %s" % node.log_name)


def main():
    args = ic.arg_parser().parse_args()
    url = os.environ.get("OPSFLOW_TEST_PG_URL", "")
    if not url:
        print("cluster_events: OPSFLOW_TEST_PG_URL is not set (scripts/pg-test-server): skipped")
        return 77
    failures = []
    root = tempfile.mkdtemp(prefix="opsflow-cluster-events-")
    cluster = cf.Cluster(os.path.abspath(args.binary), url, root, 2)
    streams = []
    try:
        cluster.start()
        a, b = cluster.nodes
        a.log_name, b.log_name = "node1", "node2"
        r = a.request("POST", "/automation-studio/automations/import",
                      body={"automations": [STEPS, TARGET, LONG]})
        check(r.status == 200, "import: %r" % r)
        gid = setup_accounts(a)
        r = b.post_login("ce-outsider", "ce-outsider-pass-1")
        check(r.status == 200, "outsider login on B: %r" % r)
        outsider_token = r.text.strip()
        arm_trigger(a, b, gid)

        on_a = Collector(SseClient(a.port, token=a.token))
        on_b = Collector(SseClient(b.port, token=b.token))
        outsider_b = Collector(SseClient(b.port, token=outsider_token))
        streams += [on_a, on_b, outsider_b]
        # Warm-up: A has heard of B's streams once a job of A shows on B.
        warm = a.start_job_id("CE Steps", {"tag": "warm"})
        on_b.wait_end(warm)

        # The job under test: driven by A, in group ce-g1, with a ~20 KB variable.
        big = "x" * (20 * 1024)
        job = a.start_job_id("CE Steps", {"tag": "main", "big": big}, groups=[gid["ce-g1"]])
        local, remote = on_a.wait_end(job), on_b.wait_end(job)
        topics = [e["event"] for _, e in remote]
        check(topics[0] == "jobStart" and topics[-1] == "jobComplete" and
              topics.count("taskStart") >= 3 and topics.count("taskComplete") >= 3,
              "B's events of A's job: %r" % topics)
        check(shape(remote) == shape(local),
              "B's stream differs from A's for the job:\nA %r\nB %r" % (shape(local),
                                                                         shape(remote)))
        delays = [(tb - ta) * 1000 for (ta, _), (tb, _) in zip(local, remote)]
        print("B's stream shows A's job: %d events %s; delay after A's stream: max %.1f ms, "
              "mean %.1f ms" % (len(remote), topics, max(delays), sum(delays) / len(delays)),
              flush=True)
        doc = a.wait_job_data(job)
        check(doc["status"] == "complete" and len(doc["variables"]["big"]) == len(big),
              "the job with a 20 KB variable: %r" % doc.get("status"))

        # Events larger than a notification: through the table.
        long_job = a.start_job_id(LONG["name"], {"tag": "long"})
        local, remote = on_a.wait_end(long_job), on_b.wait_end(long_job)
        check(shape(remote) == shape(local) and len(remote) >= 4,
              "the events of a job with a 9000-character workflow name: A %d, B %d %r"
              % (len(local), len(remote), [e["event"] for _, e in remote]))
        print("events larger than a notification: %d events of %d bytes and more arrive on B"
              % (len(remote), len(LONG["name"])), flush=True)

        # GBAC: a public job A runs after the g1 job reaches the outsider, the g1 job did not.
        public = a.start_job_id("CE Steps", {"tag": "public"})
        outsider_b.wait_end(public)
        leaked = outsider_b.of_job(job)
        check(not leaked, "the outsider saw events of a job outside its groups: %r" % leaked)
        print("GBAC: the outsider on B sees A's public job (%d events), none of the ce-g1 job"
              % len(outsider_b.of_job(public)), flush=True)

        # Triggers: once per completed job. B saw the main job's jobComplete (on the stream,
        # after its trigger subscription would have); a sentinel job of B's own, whose trigger
        # runs after any queued before it, bounds when a duplicate would have started.
        for src in (warm, job, public):
            check(wait_target(a, src), "the trigger did not fire on A for its job %s" % src)
        sentinel = b.start_job_id("CE Steps", {"tag": "sentinel"})
        b.wait_job(sentinel)
        check(wait_target(b, sentinel), "the sentinel's trigger did not fire on B")
        for src in (warm, job, public):
            n = len(targets_for(a, src))
            check(n == 1, "the jobComplete trigger fired %d times for job %s (want 1)" % (n, src))
        print("triggers: fired once for each of 3 jobs of A with streams open on both processes",
              flush=True)
    except Exception as e:  # noqa: BLE001
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        for s in streams:
            s.close()
        if failures:
            cluster.print_logs()
        cluster.cleanup()
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    return ic.report("cluster_events", failures)


if __name__ == "__main__":
    sys.exit(main())
