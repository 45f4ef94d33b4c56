#!/usr/bin/env python3
"""Graceful shutdown suite (SPEC §5 Durability, serve's SIGTERM handling): start ~20 jobs of
itest-delay (0.3 s delay task), send SIGTERM while some sit in their delay, and check that
  * the process exits with code 0 (waited for at most 10 s) and logs "stopped";
  * requests sent while it shuts down get a complete HTTP answer (a 200 that raced the signal,
    or a clean 503) or a refused connection, never a hang or a partial answer; a connection
    closed before any answer (reset / no response: one still in the listen backlog when the
    listener closed) is a warning, or a failure with --strict;
  * after a restart on the same --data every acknowledged job completes with the expected
    variables and no task of a job has two complete iterations."""
import collections
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

JOBS = 20
PROBE_THREADS = 4
EXIT_WAIT_S = 10
PROBE_TIMEOUT_S = 8  # a probe that gets no answer in this long counts as a hang
DELAY_TASKS = ["workflow_start", "b001", "b002", "b003", "b004", "workflow_end"]


def expected_vars(tag):
    return {"tag": tag, "result": tag + "-done", "phase": "after"}


def delay_running(srv, job_ids):
    """True when the delay step (b002) of one of `job_ids` is running (per the job view)."""
    for job_id in job_ids:
        r = srv.request("GET", "/operations-manager/jobs/%s" % job_id, timeout=10)
        if r.status != 200:
            raise RuntimeError("GET job %s: %r" % (job_id, r))
        d = r.json()["data"]
        if d.get("status") == "running" and d.get("tasks", {}).get("b002", {}).get("status") == "running":
            return True
    return False


def probe_loop(srv, stop, acked, outcomes, lock, n0):
    """Sends requests (job starts and health checks) until `stop`; classifies every outcome."""
    i = n0
    while not stop.is_set():
        i += 1
        start = i % 2 == 0
        tag = "probe-%d" % i
        try:
            if start:
                r = srv.start_job("itest-delay", {"tag": tag}, timeout=PROBE_TIMEOUT_S)
            else:
                r = srv.request("GET", "/health/server", auth=False, timeout=PROBE_TIMEOUT_S)
        except ConnectionRefusedError:
            with lock:
                outcomes["refused"] += 1
            continue
        except socket.timeout:
            with lock:
                outcomes["HANG (no answer in %ds)" % PROBE_TIMEOUT_S] += 1
            continue
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
            # closed before any byte of an answer: a connection still in the listen backlog (or
            # accepted but not yet read) when the listener closed
            with lock:
                outcomes["dropped: %s" % type(e).__name__] += 1
            continue
        except (http.client.HTTPException, OSError) as e:
            with lock:
                outcomes["broken: %s" % type(e).__name__] += 1
            continue
        with lock:
            outcomes["status %d" % r.status] += 1
            if start and r.status == 200:
                acked[r.json()["data"]["_id"]] = tag


def verify(srv, acked, failures):
    for job_id, tag in sorted(acked.items()):
        d = srv.wait_job_data(job_id, timeout=60)
        if d.get("status") != "complete":
            failures.append("job %s (%s) ended %s" % (job_id, tag, d.get("status")))
            continue
        v = d.get("variables", {})
        bad = {k: v.get(k, "<missing>") for k, want in expected_vars(tag).items() if v.get(k) != want}
        if bad:
            failures.append("job %s variables wrong: got %s, expected %s" % (job_id, bad, expected_vars(tag)))
        r, complete = srv.complete_counts(job_id)
        if complete is None:
            failures.append("task list of %s: %r" % (job_id, r))
            continue
        twice = {k: n for k, n in complete.items() if n > 1}
        if twice:
            failures.append("job %s: tasks completed more than once: %s" % (job_id, twice))
        never = [t for t in DELAY_TASKS if complete[t] == 0]
        if never:
            failures.append("job %s is complete but these tasks never completed: %s" % (job_id, never))


def main():
    ap = ic.arg_parser()
    ap.add_argument("--strict", action="store_true",
                    help="fail when a request is dropped without an answer (not a 503, not refused)")
    args = ap.parse_args()
    failures = []
    acked = {}
    with ic.RestartDir(os.path.abspath(args.binary), "opsflow-sigterm-", failures) as rd:
        srv = rd.start("first")
        srv.import_file(os.path.join(ic.TESTS_DIR, "fixtures", "itest-delay.json"))

        # ~20 jobs, from a few threads so that many are in their delay together
        lock = threading.Lock()
        start_errors = []

        def starter(k):
            for i in range(k, JOBS, 4):
                tag = "t-%d" % i
                r = srv.start_job("itest-delay", {"tag": tag})
                with lock:
                    if r.status == 200:
                        acked[r.json()["data"]["_id"]] = tag
                    else:
                        start_errors.append(r)

        threads = [threading.Thread(target=starter, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if start_errors:
            raise RuntimeError("job start failed: %r" % start_errors[0])
        # wait (by polling) until a job sits in its delay; if all finished already, start more
        in_delay = False
        for extra in range(50):
            if delay_running(srv, list(acked)[-JOBS:]):
                in_delay = True
                break
            tag = "x-%d" % extra
            r = srv.start_job("itest-delay", {"tag": tag})
            if r.status != 200:
                raise RuntimeError("job start failed: %r" % r)
            acked[r.json()["data"]["_id"]] = tag
        if not in_delay:
            failures.append("never saw a job in its delay task; shutdown was not exercised mid-job")
        r = srv.request("GET", "/operations-manager/jobs?equals[status]=running&limit=1")
        running = r.json()["metadata"]["total"] if r.status == 200 else "?"
        print("%d jobs acknowledged, %s running, a delay task running: %s" % (len(acked), running, in_delay),
              flush=True)

        # probes run across the signal
        stop = threading.Event()
        outcomes = collections.Counter()
        probes = [threading.Thread(target=probe_loop, args=(srv, stop, acked, outcomes, lock, 1000 * k),
                                   daemon=True) for k in range(PROBE_THREADS)]
        for t in probes:
            t.start()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            rc = srv.proc.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            rc = None
            failures.append("server still running %d s after SIGTERM" % EXIT_WAIT_S)
        # keep probing the dead port briefly: those must be refused
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and any(t.is_alive() for t in probes):
            time.sleep(0.05)
        stop.set()
        for t in probes:
            t.join(PROBE_TIMEOUT_S + 5)
        print("shutdown: exit code %s; probe outcomes: %s" % (rc, dict(outcomes)), flush=True)
        if rc is not None and rc != 0:
            failures.append("server exited with code %d after SIGTERM" % rc)
        log = srv.log_tail(200000)
        if "stopped" not in log:
            failures.append('server log has no "stopped" line')
        for k, n in outcomes.items():
            if k in ("refused", "status 200", "status 503"):
                continue
            if k.startswith("dropped") and not args.strict:
                print("WARN %d request(s) during shutdown were dropped without an answer (%s); "
                      "--strict makes this a failure" % (n, k))
                continue
            failures.append("%d request(s) during shutdown ended '%s'" % (n, k))
        srv.kill()  # SIGKILL if still alive; closes the log

        srv = rd.start("restart")
        r = srv.request("GET", "/operations-manager/jobs?equals[status]=running&limit=1")
        print("after restart %s jobs still running" % (r.json()["metadata"]["total"] if r.status == 200 else r),
              flush=True)
        verify(srv, acked, failures)
        print("verified %d acknowledged jobs" % len(acked), flush=True)
    return ic.report("sigterm_shutdown", failures, most=40)


if __name__ == "__main__":
    sys.exit(main())
