#!/usr/bin/env python3
"""A cluster of three `opsflow serve --store postgres://...` processes on one PostgreSQL (README
"Cluster", SPEC §8), no proxy in front.

Failover: jobs (a delay, a parallel childJob loop whose children wait too) are started round-robin
over the three processes from several threads; once a third of them are acknowledged, one process
is SIGKILLed (starts sent to it from then on go to the next process). Every acknowledged job must
complete, with exactly one child per loop element (no child started twice) and no task completed
twice; the time from the kill to the first completion of a job the dead process had accepted is
printed as `RESULT name=opsflow scenario=cluster-failover ... takeover_ms=...`.

Split brain: a process is frozen with SIGSTOP past its lease while it drives jobs, the others take
them over, then SIGCONT: it must write nothing for the jobs it lost (its commits are fenced), drop
them, join again and carry on with new jobs; every job completes exactly once.

OPSFLOW_FAILOVER_JOBS sets the number of jobs (default 600; the issue's figure is 2,000). Exits
77 (skipped) when OPSFLOW_TEST_PG_URL is unset (scripts/pg-test-server sets it)."""
import collections
import json
import os
import signal
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402
from child_jobs import task, workflow  # noqa: E402  (the same workflow builders)

LEASE_TTL = "2s"
USER_LIMIT = 3  # --max-running-jobs-per-user (admins are exempt; test_user_limit)
THREADS = 6
ELEMENTS = 3


CHILD = workflow("CL Child", {
    "d1": task("delay", {"time": 0.4}, {"time_in_milliseconds": None}, type="operation"),
    "c1": task("stringConcat", {"str": "$var.job.tag", "stringN": ["-child"]},
               {"combinedStrings": "$var.job.result"})}, ["d1", "c1"])
PARENT = workflow("CL Parent", {
    "d1": task("delay", {"time": 0.6}, {"time_in_milliseconds": None}, type="operation"),
    "cj": task("childJob", {"task": "", "workflow": "CL Child", "variables": {},
                            "data_array": "$var.job.items", "transformation": "",
                            "loopType": "parallel"},
               {"job_details": "$var.job.details"}, actor="job", type="operation"),
    "c1": task("stringConcat", {"str": "$var.job.tag", "stringN": ["-done"]},
               {"combinedStrings": "$var.job.result"})}, ["d1", "cj", "c1"])


MANUAL = workflow("CL Manual", {
    "m1": task("ViewData", {"header": "h", "message": "m", "body": "$var.job.tag", "variables": "",
                            "btn_success": "ok", "btn_failure": "no"},
               {}, type="manual", view="/workflow_engine/task/ViewData"),
    "c1": task("stringConcat", {"str": "$var.job.tag", "stringN": ["-done"]},
               {"combinedStrings": "$var.job.result"})}, ["m1", "c1"])
SLOW = workflow("CL Slow", {
    "d1": task("delay", {"time": 3}, {"time_in_milliseconds": None}, type="operation"),
    "c1": task("stringConcat", {"str": "$var.job.tag", "stringN": ["-done"]},
               {"combinedStrings": "$var.job.result"})}, ["d1", "c1"])


class Cluster:
    def __init__(self, binary, url, root, n):
        self.binary, self.url, self.root = binary, url, root
        key = os.path.join(root, "secret.key")
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(key, 0o600)
        self.nodes = []
        for i in range(n):
            args = ["--store", url, "--node-id", "node%d" % (i + 1), "--lease-ttl", LEASE_TTL,
                    "--secret-key-file", key, "--max-running-jobs-per-user", str(USER_LIMIT)]
            self.nodes.append(ic.Server(binary, extra_args=args,
                                        data_dir=os.path.join(root, "data%d" % (i + 1)),
                                        log_name="node%d" % (i + 1)))

    def start(self):
        self.nodes[0].start()  # creates the first admin; the others find it
        for n in self.nodes[1:]:
            n.start()
        return self

    def alive(self):
        return [n for n in self.nodes if n.alive()]

    def revive(self):
        """Starts again each process an earlier step killed (it joins with a new lease)."""
        for n in self.nodes:
            if not n.alive():
                n.kill()  # closes its log
                n.start()

    def print_logs(self):
        for n in self.nodes:
            print("--- %s (tail) ---\n%s" % (os.path.basename(n.log_path), n.log_tail(3000)))

    def cleanup(self):
        for n in self.nodes:
            if n.proc is not None and n.proc.poll() is None:
                n.proc.send_signal(signal.SIGCONT)
            n.kill()


def start_round_robin(cluster, total, tag_prefix, on_ack):
    """Starts `total` parent jobs round-robin; a start refused or unanswered goes to the next
    process. Calls on_ack(job_id, tag, node_index) for every acknowledged start."""
    next_i = [0]
    lock = threading.Lock()
    stats = collections.Counter()

    def worker():
        while True:
            with lock:
                i = next_i[0]
                if i >= total:
                    return
                next_i[0] += 1
            tag = "%s-%d" % (tag_prefix, i)
            for attempt in range(12):
                node = (i + attempt) % len(cluster.nodes)
                srv = cluster.nodes[node]
                if not srv.alive():
                    continue
                try:
                    r = srv.start_job("CL Parent", {"tag": tag, "items": [{"tag": "%s-%d" % (tag, k)} for k in range(ELEMENTS)]},
                                      timeout=10)
                except OSError:
                    stats["refused"] += 1
                    continue
                if r.status == 200:
                    on_ack(r.json()["data"]["_id"], tag, node)
                    break
                stats["status_%d" % r.status] += 1
                time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats


def wait_all_done(srv, ids, timeout):
    """Waits until none of `ids` runs; returns {id: status}."""
    deadline = time.monotonic() + timeout
    pending = set(ids)
    done = {}
    while pending:
        for job_id in list(pending)[:200]:
            r = srv.request("GET", "/operations-manager/jobs/%s" % job_id)
            check(r.status == 200, "GET job %s: %r" % (job_id, r))
            st = r.json()["data"]["status"]
            if st not in ("running", "paused"):
                done[job_id] = st
                pending.discard(job_id)
        if pending and time.monotonic() > deadline:
            raise AssertionError("%d jobs still running after %ds, e.g. %s"
                                 % (len(pending), timeout, sorted(pending)[:3]))
        if pending:
            time.sleep(0.2)
    return done


def check_exactly_once(srv, ids, tags):
    """Every job complete with its result; one child per element; no task completed twice."""
    problems = []
    for job_id in ids:
        r = srv.request("GET", "/operations-manager/jobs/%s" % job_id)
        d = r.json()["data"]
        if d["status"] != "complete" or d["variables"].get("result") != tags[job_id] + "-done":
            problems.append("job %s ended %s with %r" % (job_id, d["status"],
                                                         d["variables"].get("result")))
            continue
        r = srv.request("GET", "/operations-manager/jobs?limit=100&equals[parent.job]=" + job_id)
        kids = r.json()["data"]
        elements = collections.Counter(k.get("parent", {}).get("element") for k in kids)
        if len(kids) != ELEMENTS or any(n != 1 for n in elements.values()):
            problems.append("job %s has children %r" % (job_id, dict(elements)))
        for jid in [job_id] + [k["_id"] for k in kids]:
            _, counts = srv.complete_counts(jid)
            twice = [t for t, n in (counts or {}).items() if n > 1]
            if counts is None or twice:
                problems.append("job %s: tasks completed twice %r" % (jid, twice))
    return problems


def health(srv):
    r = srv.request("GET", "/health/status", auth=False)
    check(r.status == 200, "health: %r" % r)
    return r.json()["node"]


def test_failover(cluster, total):
    acked, tags, by_node = [], {}, collections.defaultdict(set)
    lock = threading.Lock()
    killed = threading.Event()
    kill_at = [None]
    victim = cluster.nodes[1]

    def on_ack(job_id, tag, node):
        with lock:
            acked.append(job_id)
            tags[job_id] = tag
            by_node[node].add(job_id)
            if len(acked) == total // 3 and not killed.is_set():
                killed.set()
                victim.proc.send_signal(signal.SIGKILL)
                kill_at[0] = time.monotonic()

    stats = start_round_robin(cluster, total, "fo", on_ack)
    victim.proc.wait(timeout=10)
    check(killed.is_set(), "the victim was killed")
    # The dead process's jobs that were still running at the kill move to the others.
    survivor = cluster.nodes[0]
    orphans = set(by_node[1])
    first_done = None
    deadline = time.monotonic() + 120
    while orphans and first_done is None and time.monotonic() < deadline:
        for job_id in list(orphans)[:100]:
            r = survivor.request("GET", "/operations-manager/jobs/%s" % job_id)
            d = r.json()["data"]
            if d["status"] == "complete":
                if (d.get("metrics") or {}).get("end_time", 0) / 1000.0 > 0:
                    first_done = time.monotonic()
                    break
        time.sleep(0.02)
    takeover_ms = (first_done - kill_at[0]) * 1000 if first_done else -1
    done = wait_all_done(survivor, acked, timeout=300)
    problems = check_exactly_once(survivor, acked, tags)
    peers = health(survivor)["peers"]
    print("RESULT name=opsflow scenario=cluster-failover processes=3 jobs=%d acked=%d "
          "on_victim=%d takeover_ms=%.0f lease_ttl=%s" % (total, len(acked), len(by_node[1]),
                                                          takeover_ms, LEASE_TTL))
    print("failover: start stats %r; peers seen by node1 %r" % (dict(stats), peers))
    check(len(acked) == total, "every start acknowledged by some process (%d of %d)"
          % (len(acked), total))
    check(all(s == "complete" for s in done.values()), "all complete: %r"
          % collections.Counter(done.values()))
    check(not problems, "exactly once: %d problems, e.g. %r" % (len(problems), problems[:5]))
    check(takeover_ms > 0, "a job of the killed process completed after the kill")


def test_split_brain(cluster):
    frozen, other = cluster.nodes[2], cluster.nodes[0]
    ids, tags = [], {}
    for i in range(30):
        tag = "sb-%d" % i
        r = frozen.start_job("CL Parent", {"tag": tag, "items": [{"tag": "%s-%d" % (tag, k)} for k in range(ELEMENTS)]})
        check(r.status == 200, "start on the node to freeze: %r" % r)
        job_id = r.json()["data"]["_id"]
        ids.append(job_id)
        tags[job_id] = tag
    # Jobs still running when it freezes, however slowly the 30 starts went (a loaded machine):
    # the others must take them over, which removes the frozen process's lease.
    slow = []
    for i in range(3):
        r = frozen.start_job("CL Slow", {"tag": "sb-slow-%d" % i})
        check(r.status == 200, "start a slow job on the node to freeze: %r" % r)
        slow.append(r.json()["data"]["_id"])
    frozen.proc.send_signal(signal.SIGSTOP)
    taken_over = False
    try:
        # Past its lease: the others take its jobs over.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = other.request("GET", "/health/status", auth=False)
            peers = r.json()["node"]["peers"]
            # Taken over: its lease row is gone (an expired row alone may still be renewed).
            if not any(p["id"] == "node3" for p in peers) and r.json()["node"]["jobs"] > 0:
                taken_over = True
                break
            time.sleep(0.1)
    finally:
        frozen.proc.send_signal(signal.SIGCONT)
    check(taken_over, "the frozen process's jobs were taken over within 60 s")
    done = wait_all_done(other, ids + slow, timeout=120)
    check(all(s == "complete" for s in done.values()), "split brain: all complete: %r"
          % collections.Counter(done.values()))
    problems = check_exactly_once(other, ids, tags)
    check(not problems, "split brain: exactly once: %r" % problems[:5])
    # The frozen process noticed, joined again and takes new work.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        node = health(frozen)
        if node["leases_lost"] >= 1 and node["leased"]:
            break
        time.sleep(0.1)
    node = health(frozen)
    check(node["leases_lost"] >= 1 and node["leased"],
          "the frozen process lost its lease and joined again: %r" % node)
    check("lease" in frozen.log_tail(20000), "the frozen process logged the lost lease")
    r = frozen.start_job("CL Parent", {"tag": "sb-after", "items": [{"tag": "sb-after-0"}]})
    check(r.status == 200, "a start on the thawed process: %r" % r)
    after = r.json()["data"]["_id"]
    check(frozen.wait_job_data(after, timeout=60)["status"] == "complete",
          "the thawed process runs new jobs")
    print("split brain: 30 jobs taken over from a frozen process, all complete exactly once")


def job_status(srv, job_id):
    r = srv.request("GET", "/operations-manager/jobs/%s" % job_id)
    check(r.status == 200, "GET job %s: %r" % (job_id, r))
    return r.json()["data"]["status"]


def test_through_any_process(cluster):
    """Job control and manual tasks through a process that does not drive the job."""
    cluster.revive()
    a, b = cluster.nodes[0], cluster.nodes[2]
    # A manual task waiting on A, finished through B.
    r = a.start_job("CL Manual", {"tag": "man"})
    check(r.status == 200, "start manual: %r" % r)
    man = r.json()["data"]["_id"]
    # Claimed through B, released through C, assigned through B: each change is made by A.
    c_node = cluster.nodes[1]
    deadline = time.monotonic() + 20
    while True:
        r = b.request("GET", "/operations-manager/tasks?equals[job._id]=%s&equals[status]=running"
                      % man)
        check(r.status == 200, "tasks of the manual job through B: %r" % r)
        its = [t for t in r.json()["data"] if t.get("name") == "ViewData"]
        if its:
            break
        check(time.monotonic() < deadline, "the manual task is running: %r" % r.json())
        time.sleep(0.05)
    iteration = its[0]["_id"]
    r = b.request("POST", "/operations-manager/tasks/%s/claim" % iteration)
    check(r.status == 200 and r.json()["data"]["metrics"]["owner"] == "admin"
          and r.json()["data"]["job"]["_id"] == man, "claim through B: %r" % r)
    # The work queue, the manual controller and "why" of C show the task A holds, and who holds it.
    r = c_node.request("GET", "/operations-manager/work-queue")
    q = [t for t in r.json()["data"] if t["_id"] == iteration] if r.status == 200 else []
    check(len(q) == 1 and q[0]["metrics"]["owner"] == "admin",
          "C's work queue shows the claimed task of A: %r" % r)
    r = c_node.request("GET", "/operations-manager/jobs/%s/tasks/m1/manual-controller" % man)
    check(r.status == 200 and r.json()["data"]["_id"] == iteration,
          "manual controller through C: %r" % r)
    r = c_node.request("GET", "/operations-manager/jobs/%s/waiting" % man)
    check(r.status == 200 and "claimed by admin" in r.text, "why through C: %r" % r)
    r = c_node.request("POST", "/operations-manager/tasks/%s/release" % iteration)
    check(r.status == 200 and r.json()["data"]["metrics"]["owner"] == "",
          "release through C: %r" % r)
    r = c_node.request("POST", "/operations-manager/tasks/%s/release" % iteration)
    check(r.status == 409 and "not claimed" in r.json()["message"],
          "the driving process's refusal comes back as it is: %r" % r)
    r = b.request("POST", "/operations-manager/tasks/%s/assign" % iteration,
                  body={"userId": "admin"})
    check(r.status == 200 and r.json()["data"]["metrics"]["owner"] == "admin",
          "assign through B: %r" % r)
    r = b.request("POST", "/operations-manager/tasks/%s/claim" % ("0" * 24))
    check(r.status in (400, 404), "claim of an unknown task: %r" % r)
    deadline = time.monotonic() + 20
    while True:
        r = b.finish_task(man, "m1", {"note": "from b"})
        if r.status == 200:
            break
        check(time.monotonic() < deadline, "finish through another process: %r" % r)
        time.sleep(0.1)
    d = a.wait_job_data(man, timeout=30)
    check(d["status"] == "complete" and d["variables"].get("result") == "man-done",
          "manual job finished through another process: %r" % d["status"])
    # Pause, resume and cancel through B of jobs A drives.
    ids = []
    for tag in ("ctl-1", "ctl-2"):
        r = a.start_job("CL Slow", {"tag": tag})
        check(r.status == 200, "start slow: %r" % r)
        ids.append(r.json()["data"]["_id"])
    r = b.request("POST", "/operations-manager/jobs/pause", body={"jobIds": ids})
    check(r.status == 200, "pause through another process: %r" % r)
    check([job_status(a, j) for j in ids] == ["paused", "paused"], "both paused")
    r = b.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [ids[1]]})
    check(r.status == 200 and job_status(a, ids[1]) == "canceled",
          "cancel through another process: %r" % r)
    r = b.request("POST", "/operations-manager/jobs/resume", body={"jobIds": [ids[0]]})
    check(r.status == 200, "resume through another process: %r" % r)
    d = a.wait_job_data(ids[0], timeout=30)
    check(d["status"] == "complete", "resumed job completes: %r" % d["status"])
    # An adapter task of a job A drives, leased from A by a worker, reported through B.
    with open(os.path.join(ic.REPO_ROOT, "examples", "Example - Adapter Worker.json")) as f:
        doc = json.load(f)
    r = a.request("POST", "/automation-studio/automations/import", body={"automations": [doc]})
    check(r.status == 200, "import the adapter example: %r" % r)
    r = a.start_job(doc["name"], {"message": "hello"})
    check(r.status == 200, "start adapter job: %r" % r)
    aj = r.json()["data"]["_id"]
    deadline = time.monotonic() + 20
    while True:
        r = a.request("POST", "/adapter-workers/poll",
                      body={"worker": "w1", "apps": [], "lease_ms": 30000, "max_tasks": 10})
        check(r.status == 200, "poll on A: %r" % r)
        work = [t for t in r.json()["data"] if t.get("job") == aj or aj in json.dumps(t)]
        if work:
            break
        check(time.monotonic() < deadline, "the adapter task is offered on A")
        time.sleep(0.05)
    for t in work:
        r = b.request("POST", "/adapter-workers/tasks/%s/complete" % t["_id"],
                      body={"lease": t["lease"], "outgoing": {}, "message": ""})
        check(r.status == 200, "report through B: %r" % r)
    check(a.wait_job_data(aj, timeout=30)["status"] == "complete",
          "the adapter job completes after the report through B")
    print("through any process: manual task claimed, released, assigned and finished, jobs paused, canceled and resumed, an "
          "adapter task reported through a process that does not drive them")


def eventually(what, fn, timeout=5.0):
    """fn() until it is truthy (a change made through one process reaches the others)."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        check(time.monotonic() < deadline, what)
        time.sleep(0.05)


def test_workflow_changes(cluster):
    """A workflow created, changed, renamed and deleted through A is seen so by B and C."""
    cluster.revive()
    a, b, c = cluster.nodes
    wf = workflow("CL Shared", {
        "c1": task("stringConcat", {"str": "v1", "stringN": ["-x"]},
                   {"combinedStrings": "$var.job.result"})}, ["c1"])

    def names(srv):
        r = srv.request("GET", "/automation-studio/workflows?limit=1000")
        check(r.status == 200, "list workflows: %r" % r)
        return {w["name"]: w for w in r.json()["items"]}

    r = a.request("POST", "/automation-studio/automations/import", body={"automations": [wf]})
    check(r.status == 200, "import through A: %r" % r)
    wf_id = names(a)["CL Shared"]["_id"]
    eventually("B lists the workflow A created", lambda: "CL Shared" in names(b))
    r = a.request("PUT", "/automation-studio/automations/%s" % wf_id,
                  body={"update": {"description": "second version"}})
    check(r.status == 200, "update through A: %r" % r)
    eventually("C shows A's change", lambda: names(c).get("CL Shared", {}).get(
        "description") == "second version")
    r = a.request("PUT", "/automation-studio/automations/%s" % wf_id,
                  body={"update": {"name": "CL Shared 2"}})
    check(r.status == 200, "rename through A: %r" % r)
    eventually("B shows the rename", lambda: "CL Shared 2" in names(b)
               and "CL Shared" not in names(b))
    r = a.request("DELETE", "/workflow_builder/workflows/delete/CL%20Shared%202")
    check(r.status == 200, "delete through A: %r" % r)
    eventually("C no longer lists the deleted workflow", lambda: "CL Shared 2" not in names(c))
    r = c.start_job("CL Shared 2", {})
    check(r.status in (400, 404), "a deleted workflow does not start on C: %r" % r)
    print("workflow changes: created, changed, renamed and deleted through A, seen by B and C")


def test_user_limit(cluster):
    """--max-running-jobs-per-user counts a user's jobs on every process."""
    cluster.revive()
    a, b = cluster.nodes[0], cluster.nodes[1]
    r = a.request("POST", "/authorization/accounts",
                  body={"username": "lim", "password": "lim-pass-1"})
    check(r.status == 200, "create lim: %r" % r)
    user = {"Authorization": "Bearer " + b.post_login("lim", "lim-pass-1").text.strip()}
    body = {"workflow": "CL Manual", "options": {"variables": {"tag": "lim"}}}
    held = []
    for i in range(USER_LIMIT):
        r = a.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                      headers=user)
        check(r.status == 200, "start %d on A: %r" % (i, r))
        held.append(r.json()["data"]["_id"])

    def refused_on_b():
        r = b.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                      headers=user)
        if r.status == 200:  # B has not read A's jobs yet: take it back and try again
            j = r.json()["data"]["_id"]
            b.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [j]})
            return None
        check(r.status == 429 and "--max-running-jobs-per-user" in r.text,
              "B refuses naming the limit: %r" % r)
        return r

    r = eventually("B counts the user's jobs on A", refused_on_b)
    check("already has %d" % USER_LIMIT in r.text, "B counts A's jobs: %r" % r)
    r = b.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": held})
    check(r.status == 200, "cancel the held jobs: %r" % r)
    print("user limit: %d jobs on A make B refuse the user's next start" % USER_LIMIT)


def main():
    args = ic.arg_parser().parse_args()
    url = os.environ.get("OPSFLOW_TEST_PG_URL", "")
    if not url:
        print("cluster_failover: OPSFLOW_TEST_PG_URL is not set (scripts/pg-test-server): skipped")
        return 77
    total = int(os.environ.get("OPSFLOW_FAILOVER_JOBS", "600"))
    failures = []
    root = tempfile.mkdtemp(prefix="opsflow-cluster-")
    cluster = Cluster(os.path.abspath(args.binary), url, root, 3)
    try:
        cluster.start()
        for wf in (CHILD, PARENT, MANUAL, SLOW):
            r = cluster.nodes[0].request("POST", "/automation-studio/automations/import",
                                         body={"automations": [wf]})
            check(r.status == 200, "import %s: %r" % (wf["name"], r))
        node = health(cluster.nodes[0])
        check(node["id"] == "node1" and node["clustered"] and
              sorted(p["id"] for p in node["peers"]) == ["node2", "node3"],
              "health shows the node and its peers: %r" % node)
        # A token from one process works on another, and a workflow imported through one is
        # started through another.
        r = cluster.nodes[2].request("GET", "/whoami", auth=False, headers={
            "Authorization": "Bearer " + cluster.nodes[0].token})
        check(r.status == 200, "node1's token on node3: %r" % r)
        for name, fn in (("failover", lambda: test_failover(cluster, total)),
                         ("split brain", lambda: test_split_brain(cluster)),
                         ("through any process", lambda: test_through_any_process(cluster)),
                         ("workflow changes", lambda: test_workflow_changes(cluster)),
                         ("user limit", lambda: test_user_limit(cluster))):
            # OPSFLOW_FAILOVER_STEPS="through any process" runs only the steps named (comma list).
            only = os.environ.get("OPSFLOW_FAILOVER_STEPS")
            if only and name not in only.split(","):
                continue
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                failures.append("%s: %s: %s" % (name, type(e).__name__, e))
    except Exception as e:  # noqa: BLE001
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        if failures:
            cluster.print_logs()
        cluster.cleanup()
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    return ic.report("cluster_failover", failures)


if __name__ == "__main__":
    sys.exit(main())
