#!/usr/bin/env python3
"""Durability suite (SPEC §5 Durability): start ~300 jobs quickly, SIGKILL the server while many
run, restart it on the same --data, wait until nothing runs, then check that every acknowledged
job exists and completed with the expected variables, and that no task of any job has two complete
iterations (the workflows are loop-free). Done for three kill rounds on the same data dir."""
import collections
import os
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

JOBS_PER_ROUND = 300
KILL_AFTER_ACKS = [150, 40, 250]  # per round: SIGKILL once this many starts were acknowledged
THREADS = 12
BENCH_TASKS = ["workflow_start", "a101", "a102", "a103", "a104", "a105", "a106", "a107", "a108",
               "a109", "a10a", "workflow_end"]
DELAY_TASKS = ["workflow_start", "b001", "b002", "b003", "b004", "workflow_end"]


def job_plan(round_no, i):
    tag = "r%d-%d" % (round_no, i)
    if i % 3 == 2:
        return ("itest-delay", {"tag": tag},
                {"tag": tag, "result": tag + "-done", "phase": "after"}, DELAY_TASKS)
    items = list(range(i % 4))
    return ("bench-seq10", {"host": tag, "items": items},
            {"host": tag, "label": tag + "-2-5-8", "count": len(items), "stage": "step-10"}, BENCH_TASKS)


def start_many(srv, round_no, acked, lock, kill_event, kill_after):
    """Starts JOBS_PER_ROUND jobs from THREADS threads; fires kill_event after KILL_AFTER_ACKS acks."""
    next_i = [0]
    stats = collections.Counter()

    def worker():
        while True:
            with lock:
                i = next_i[0]
                if i >= JOBS_PER_ROUND:
                    return
                next_i[0] += 1
            wf, variables, expected, tasks = job_plan(round_no, i)
            try:
                r = srv.start_job(wf, variables, timeout=10)
            except OSError:
                with lock:
                    stats["connection errors"] += 1
                continue
            with lock:
                if r.status == 200:
                    acked[r.json()["data"]["_id"]] = (wf, expected, tasks)
                    stats["acked"] += 1
                    if stats["acked"] >= kill_after:
                        kill_event.set()
                else:
                    stats["status %d" % r.status] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    return threads, stats


def wait_quiet(srv, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        r = srv.request("GET", "/operations-manager/jobs?equals[status]=running&limit=1")
        if r.status != 200:
            raise RuntimeError("listing running jobs: %r" % r)
        n = r.json()["metadata"]["total"]
        if n == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("%d jobs still running %ds after restart" % (n, timeout))
        time.sleep(0.1)


def verify(srv, acked, failures):
    # every acknowledged job exists and completed with the expected variables
    for job_id, (wf, expected, _) in acked.items():
        r = srv.request("GET", "/operations-manager/jobs/%s?include=status,variables,name" % job_id)
        if r.status != 200:
            failures.append("acknowledged job %s (%s) lost: %r" % (job_id, wf, r))
            continue
        d = r.json()["data"]
        if d.get("status") != "complete":
            failures.append("job %s (%s) ended %s: %r" % (job_id, wf, d.get("status"), r))
            continue
        v = d.get("variables", {})
        bad = {k: v.get(k, "<missing>") for k, want in expected.items() if v.get(k) != want}
        if bad:
            failures.append("job %s (%s) variables wrong: got %s, expected %s" % (job_id, wf, bad, expected))
    # every job in the store (acknowledged or not) is finished, and no task completed twice
    r = srv.request("GET", "/operations-manager/jobs?limit=1000&include=_id,status,name")
    jobs = r.json()["data"]
    total = r.json()["metadata"]["total"]
    if total > len(jobs):
        r2 = srv.request("GET", "/operations-manager/jobs?limit=1000&skip=1000&include=_id,status,name")
        jobs += r2.json()["data"]
    missing = set(acked) - {j["_id"] for j in jobs}
    if missing:
        failures.append("%d acknowledged jobs absent from the job list, e.g. %s" % (len(missing), sorted(missing)[:3]))
    for j in jobs:
        if j["status"] != "complete":
            failures.append("job %s (%s, %s) is %s" % (j["_id"], j["name"], "acked" if j["_id"] in acked else "unacked", j["status"]))
        tasks = BENCH_TASKS if j["name"] == "bench-seq10" else DELAY_TASKS
        r, complete = srv.complete_counts(j["_id"])
        if complete is None:
            failures.append("task list of %s: %r" % (j["_id"], r))
            continue
        twice = {k: n for k, n in complete.items() if n > 1}
        if twice:
            failures.append("job %s (%s): tasks completed more than once: %s" % (j["_id"], j["name"], twice))
        if j["status"] == "complete":
            never = [t for t in tasks if complete[t] == 0]
            if never:
                failures.append("job %s (%s) is complete but these tasks have no complete iteration: %s"
                                % (j["_id"], j["name"], never))
    return len(jobs)


def main():
    ap = ic.arg_parser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    failures = []
    acked = {}
    with ic.RestartDir(os.path.abspath(args.binary), "opsflow-kill-", failures) as rd:
        srv = rd.start("boot")
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json"))
        srv.import_file(os.path.join(ic.TESTS_DIR, "fixtures", "itest-delay.json"))
        for rnd in range(1, args.rounds + 1):
            lock = threading.Lock()
            kill_event = threading.Event()
            round_acked = {}
            kill_after = KILL_AFTER_ACKS[(rnd - 1) % len(KILL_AFTER_ACKS)]
            threads, stats = start_many(srv, rnd, round_acked, lock, kill_event, kill_after)
            if not kill_event.wait(60):
                failures.append("round %d: only %d starts acknowledged in 60 s" % (rnd, stats["acked"]))
            srv.kill(signal.SIGKILL)
            for t in threads:
                t.join(30)
            with lock:
                acked.update(round_acked)
                print("round %d: SIGKILL after %d acks; %s" % (rnd, kill_after, dict(stats)), flush=True)
            srv = rd.start("round%d" % rnd)
            r = srv.request("GET", "/operations-manager/jobs?equals[status]=running&limit=1")
            print("round %d: after restart %d jobs still running" % (rnd, r.json()["metadata"]["total"]), flush=True)
            try:
                wait_quiet(srv)
            except RuntimeError as e:
                failures.append("round %d: %s" % (rnd, e))
            n = verify(srv, acked, failures)
            print("round %d: verified %d acknowledged jobs, %d jobs in the store, %d problems so far"
                  % (rnd, len(acked), n, len(failures)), flush=True)
            if failures:
                break
    return ic.report("kill_restart", failures, most=40)


if __name__ == "__main__":
    sys.exit(main())
