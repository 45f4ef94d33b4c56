#!/usr/bin/env python3
"""scenario=soak (bench/README.md): a steady mixed load on a 3-process opsflow cluster on one
PostgreSQL while a random process is SIGKILLed every --kill-every seconds and started again.

Load, for --seconds: `bench-seq10` jobs (examples/bench-seq10.json, 10 built-in tasks) at
--seq10-rate per second and `soak-parent` jobs (bench/soak-parent.json: a delay, then a parallel
childJob loop over 3 elements of `soak-child`, bench/soak-child.json: a delay and a stringConcat,
the workflows of tests/cluster_failover.py) at --loop-rate per second, started round-robin over
the live processes by --threads threads (a start refused or unanswered goes to the next process;
it counts as acknowledged only when answered 200 with a job id). Then it waits until no job runs
and checks, through the API:

* lost: acknowledged starts whose job is not `complete` (every job, full check);
* duplicates: loop elements with more than one child job (every child job, full check) plus tasks
  completed twice (per-job task lists of --check-sample acknowledged jobs and their children).

Prints `RESULT name=opsflow scenario=soak seconds=.. processes=3 kills=.. jobs_started=..
jobs_completed=.. lost=.. duplicates=.. start_p99_ms=.. rss_start_mb=a,b,c rss_end_mb=a,b,c`
(rss_start: VmRSS of each process once the load runs, rss_end: once all is done; a process
restarted after a kill is a new process, so stderr also names each one's age; --spare-node1 keeps
node1 alive throughout, so that its two figures show growth). Exits 1 when
lost or duplicates > 0 (or nothing was started), 77 when OPSFLOW_TEST_PG_URL is unset
(scripts/pg-test-server sets it)."""
import argparse
import collections
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
import itest_common as ic  # noqa: E402

ELEMENTS = 3
SEQ10 = "bench-seq10"
PARENT = "soak-parent"
CHILD = "soak-child"


def log(msg):
    print("soak: " + msg, file=sys.stderr, flush=True)


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class Cluster:
    """N `serve --store` processes sharing one secret key; node i keeps its port across restarts."""

    def __init__(self, binary, pg_url, root, n, lease_ttl):
        key = os.path.join(root, "secret.key")
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(key, 0o600)
        self.nodes = []
        for i in range(n):
            args = ["--store", pg_url, "--node-id", "node%d" % (i + 1), "--lease-ttl", lease_ttl,
                    "--secret-key-file", key]
            self.nodes.append(ic.Server(binary, extra_args=args,
                                        data_dir=os.path.join(root, "data%d" % (i + 1)),
                                        log_name="node%d" % (i + 1)))
        self.started_at = [0.0] * n
        self.lock = threading.Lock()  # guards a node while it is killed and restarted

    def start(self):
        for i, n in enumerate(self.nodes):  # node1 creates the first admin; the others find it
            n.start()
            self.started_at[i] = time.monotonic()
        return self

    def restart(self, i):
        node = self.nodes[i]
        node.kill(signal.SIGKILL)
        node.start(timeout=60)
        self.started_at[i] = time.monotonic()

    def cleanup(self):
        for n in self.nodes:
            n.kill()


class Load:
    """Starts jobs at a steady rate from several threads; records acknowledged ids and latencies."""

    def __init__(self, cluster, seq10_rate, loop_rate, threads):
        self.cluster = cluster
        self.threads = threads
        total = seq10_rate + loop_rate
        self.interval = 1.0 / total if total > 0 else 1.0
        self.loop_share = loop_rate / total if total > 0 else 0
        self.acked = {}  # job id -> (workflow, tag)
        self.latencies_ms = []
        self.errors = collections.Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.n = 0
        self.next_at = time.monotonic()
        self.rng = random.Random(12)

    def take(self):
        """The next job's number and when it is due, or None once stopped."""
        with self.lock:
            if self.stop.is_set():
                return None
            i, due = self.n, self.next_at
            self.n += 1
            self.next_at += self.interval
            return i, due, self.rng.random() < self.loop_share

    def start_one(self, i, loop):
        tag = "soak-%d" % i
        if loop:
            wf, variables = PARENT, {"tag": tag, "items": [{"tag": "%s-%d" % (tag, k)}
                                                           for k in range(ELEMENTS)]}
        else:
            wf, variables = SEQ10, {"host": tag, "items": [1, 2, 3]}
        nodes = self.cluster.nodes
        for attempt in range(3 * len(nodes)):
            srv = nodes[(i + attempt) % len(nodes)]
            if not srv.alive() or srv.token is None:
                continue
            t0 = time.monotonic()
            try:
                r = srv.start_job(wf, variables, timeout=10)
            except OSError as e:
                with self.lock:
                    self.errors[type(e).__name__] += 1
                continue
            took = (time.monotonic() - t0) * 1000
            if r.status == 200:
                job_id = r.json()["data"]["_id"]
                with self.lock:
                    self.acked[job_id] = (wf, tag)
                    self.latencies_ms.append(took)
                return
            with self.lock:
                self.errors["status_%d" % r.status] += 1
            time.sleep(0.05)
        with self.lock:
            self.errors["gave_up"] += 1

    def worker(self):
        while True:
            job = self.take()
            if job is None:
                return
            i, due, loop = job
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.start_one(i, loop)

    def run(self):
        self.workers = [threading.Thread(target=self.worker, daemon=True)
                        for _ in range(self.threads)]
        for t in self.workers:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.workers:
            t.join(timeout=60)


def any_node(cluster):
    for n in cluster.nodes:
        if n.alive() and n.token:
            return n
    raise AssertionError("no process alive")


def get_json(cluster, path):
    for _ in range(20):
        try:
            r = any_node(cluster).request("GET", path, timeout=60)
            if r.status == 200:
                return r.json()
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("GET %s kept failing" % path)


def count(cluster, query):
    return get_json(cluster, "/operations-manager/jobs?limit=1&" + query)["metadata"]["total"]


def list_all(cluster, query, page=500):
    """Every job of a list query (nothing may run while it pages)."""
    out = []
    while True:
        d = get_json(cluster, "/operations-manager/jobs?limit=%d&skip=%d&%s" % (page, len(out), query))
        out.extend(d["data"])
        if not d["data"] or len(out) >= d["metadata"]["total"]:
            return out


def wait_quiet(cluster, timeout):
    deadline = time.monotonic() + timeout
    while True:
        running = count(cluster, "in[status]=running&in[status]=paused")
        if running == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("%d jobs still running %ds after the load" % (running, timeout))
        time.sleep(1)


def task_twice(srv, job_id):
    _, counts = srv.complete_counts(job_id)
    if counts is None:
        return ["%s: task list not answered" % job_id]
    return ["%s: %s completed %d times" % (job_id, t, n) for t, n in counts.items() if n > 1]


def check(cluster, load, sample):
    """(completed, lost ids, duplicate descriptions)."""
    q = urllib.parse.quote
    complete = set()
    for wf in (SEQ10, PARENT):
        for j in list_all(cluster, "equals[name]=%s&equals[status]=complete&include=_id" % q(wf)):
            complete.add(j["_id"])
    lost = [j for j in load.acked if j not in complete]
    children = list_all(cluster, "equals[name]=%s&include=_id,parent,status" % q(CHILD))
    per_element = collections.Counter()
    kids_of = collections.defaultdict(list)
    for k in children:
        p = k.get("parent") or {}
        per_element[(p.get("job"), p.get("element"))] += 1
        kids_of[p.get("job")].append(k["_id"])
    dups = ["loop element %s[%s] has %d child jobs" % (job, el, n)
            for (job, el), n in per_element.items() if n > 1]
    parents = [j for j, (wf, _) in load.acked.items() if wf == PARENT]
    for j in parents:
        if len(kids_of.get(j, [])) != ELEMENTS and j in complete:
            dups.append("parent %s has %d children" % (j, len(kids_of.get(j, []))))
    rng = random.Random(7)
    ids = list(load.acked)
    picked = ids if len(ids) <= sample else rng.sample(ids, sample)
    srv = any_node(cluster)
    for j in picked:
        for jid in [j] + kids_of.get(j, []):
            dups.extend(task_twice(srv, jid))
    return len([j for j in load.acked if j in complete]), lost, dups


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="the opsflow executable")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--kill-every", type=float, default=20)
    ap.add_argument("--processes", type=int, default=3)
    ap.add_argument("--lease-ttl", default="5s")
    ap.add_argument("--seq10-rate", type=float, default=40, help="bench-seq10 starts per second")
    ap.add_argument("--loop-rate", type=float, default=10, help="soak-parent starts per second")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--check-sample", type=int, default=300,
                    help="jobs whose task lists are checked for a task completed twice")
    ap.add_argument("--drain-timeout", type=int, default=300)
    ap.add_argument("--spare-node1", action="store_true",
                    help="never kill node1, so that its rss_start/rss_end span the whole soak")
    args = ap.parse_args()
    pg_url = os.environ.get("OPSFLOW_TEST_PG_URL", "")
    if not pg_url:
        print("soak: OPSFLOW_TEST_PG_URL is not set (scripts/pg-test-server): skipped")
        return 77
    root = tempfile.mkdtemp(prefix="opsflow-soak-")
    cluster = Cluster(os.path.abspath(args.binary), pg_url, root, args.processes, args.lease_ttl)
    failed = True
    try:
        cluster.start()
        first = cluster.nodes[0]
        for f in (os.path.join(ROOT, "examples", "bench-seq10.json"),
                  os.path.join(HERE, "soak-child.json"), os.path.join(HERE, "soak-parent.json")):
            first.import_file(f)
        load = Load(cluster, args.seq10_rate, args.loop_rate, args.threads)
        log("%d processes, %.0f s, a SIGKILL every %.0f s, %.0f seq10 + %.0f loop starts/s, "
            "lease %s" % (args.processes, args.seconds, args.kill_every, args.seq10_rate,
                          args.loop_rate, args.lease_ttl))
        t0 = time.monotonic()
        load.run()
        time.sleep(min(5.0, args.seconds / 4))
        rss_start = [rss_mb(n.proc.pid) for n in cluster.nodes]
        kills = 0
        rng = random.Random()
        next_kill = t0 + args.kill_every
        next_note = t0 + 10
        while time.monotonic() < t0 + args.seconds:
            now = time.monotonic()
            if now >= next_kill:
                i = rng.randrange(1 if args.spare_node1 else 0, len(cluster.nodes))
                log("t=%.0fs: SIGKILL node%d (pid %d), restarting it"
                    % (now - t0, i + 1, cluster.nodes[i].proc.pid))
                cluster.restart(i)
                kills += 1
                next_kill += args.kill_every
            if now >= next_note:
                with load.lock:
                    log("t=%.0fs: %d starts acknowledged, errors %r"
                        % (now - t0, len(load.acked), dict(load.errors)))
                next_note += 10
            time.sleep(0.1)
        load.finish()
        seconds = time.monotonic() - t0
        log("load stopped after %.1f s: %d acknowledged; waiting until nothing runs"
            % (seconds, len(load.acked)))
        wait_quiet(cluster, args.drain_timeout)
        time.sleep(1)
        rss_end = [rss_mb(n.proc.pid) for n in cluster.nodes]
        for i, n in enumerate(cluster.nodes):
            log("node%d: pid %d, up %.0f s, VmRSS %.1f MiB" % (
                i + 1, n.proc.pid, time.monotonic() - cluster.started_at[i], rss_end[i]))
        completed, lost, dups = check(cluster, load, args.check_sample)
        lat = sorted(load.latencies_ms)
        p99 = lat[max(0, -(-99 * len(lat) // 100) - 1)] if lat else 0.0
        print("RESULT name=opsflow scenario=soak seconds=%.0f processes=%d kills=%d "
              "jobs_started=%d jobs_completed=%d lost=%d duplicates=%d start_p99_ms=%.1f "
              "rss_start_mb=%s rss_end_mb=%s" % (
                  seconds, args.processes, kills, len(load.acked), completed, len(lost),
                  len(dups), p99, ",".join("%.1f" % r for r in rss_start),
                  ",".join("%.1f" % r for r in rss_end)), flush=True)
        log("start errors (retried on another process): %r" % dict(load.errors))
        for j in lost[:10]:
            log("lost: %s %r" % (j, load.acked[j]))
        for d in dups[:10]:
            log("duplicate: " + d)
        failed = bool(lost or dups or not load.acked)
    except Exception as e:  # noqa: BLE001
        log("FAILED: %s: %s" % (type(e).__name__, e))
    finally:
        if failed:
            for n in cluster.nodes:
                log("--- %s (tail) ---\n%s" % (os.path.basename(n.log_path), n.log_tail(2000)))
        cluster.cleanup()
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    log("FAILED" if failed else "passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
