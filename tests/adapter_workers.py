#!/usr/bin/env python3
"""External adapter workers (SPEC §7): poll, lease, complete/fail/error, lease expiry hands a
task out again, a late report under an expired lease is refused, the per-task timeout ends a
task nobody finishes, and the example worker (examples/workers/echo_worker.py) serves a job."""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

WORKFLOW = os.path.join(ic.REPO_ROOT, "examples", "Example - Adapter Worker.json")
NAME = "Example - Adapter Worker"


def poll(srv, apps, lease_ms=30000, worker="w1", expect=None):
    r = srv.request("POST", "/adapter-workers/poll",
                    body={"worker": worker, "apps": apps, "lease_ms": lease_ms, "max_tasks": 10})
    check(r.status == 200, "poll: %r" % r)
    data = r.json()["data"]
    check(r.json()["message"] == "%d task(s) leased" % len(data), "poll message: %r" % r)
    if expect is not None:
        check(len(data) == expect, "poll %s: expected %d task(s), got %r" % (apps, expect, data))
    return data


def poll_until(srv, apps, n, lease_ms=30000, worker="w1", timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        data = poll(srv, apps, lease_ms, worker)
        if len(data) >= n:
            return data
        time.sleep(0.05)
    raise AssertionError("no task for %s within %ss" % (apps, timeout))


def report(srv, task, outcome, lease=None, outgoing=None, message=""):
    return srv.request("POST", "/adapter-workers/tasks/%s/%s" % (task["_id"], outcome),
                       body={"lease": lease or task["lease"], "outgoing": outgoing or {},
                             "message": message})


def main():
    args = ic.arg_parser().parse_args()
    with ic.Server(args.binary, extra_args=["--adapter-task-timeout", "1500"]) as srv:
        srv.import_file(WORKFLOW)
        # Bad requests.
        check(srv.request("POST", "/adapter-workers/poll", body={"apps": []}).status == 400,
              "poll without worker must be 400")
        check(srv.request("POST", "/adapter-workers/poll",
                          body={"worker": "w", "apps": "Echo"}).status == 400,
              "apps must be an array")
        # 1. Poll, lease, complete.
        job = srv.start_job_id(NAME, {"message": "hello"})
        t = poll_until(srv, ["Echo"], 1)[0]
        check(t["method"] == "echo" and t["app"] == "Echo" and t["adapter_id"] == "echo1", t)
        check(t["incoming"]["message"] == "hello", "resolved incoming: %r" % t)
        check(t["job"]["_id"] == job, t)
        poll(srv, ["Echo"], expect=0)  # leased: nobody else gets it
        poll(srv, ["Other"], expect=0)
        # The running iteration becomes visible with the next group commit.
        deadline = time.time() + 10
        while True:
            running = srv.request("GET", "/operations-manager/tasks?equals[job._id]=%s&equals[status]=running" % job)
            if running.json()["metadata"]["total"] == 1 or time.time() > deadline:
                break
            time.sleep(0.05)
        check(running.json()["metadata"]["total"] == 1, "the waiting task is listed as running")
        check(report(srv, t, "complete", lease="0" * 32).status == 409, "foreign lease refused")
        r = report(srv, t, "complete", outgoing={"result": {"said": "hello"}})
        check(r.status == 200, "complete: %r" % r)
        check(report(srv, t, "complete").status == 404, "second report: 404")
        doc = srv.wait_job_data(job)
        check(doc["status"] == "complete", doc["status"])
        check(doc["variables"]["reply"] == {"said": "hello"}, doc["variables"])
        # 2. Lease expiry: the task is handed out again; the late report is refused.
        job2 = srv.start_job_id(NAME, {"message": "again"})
        t1 = poll_until(srv, ["echo1"], 1, lease_ms=200, worker="slow")[0]
        time.sleep(0.3)
        t2 = poll_until(srv, ["Echo"], 1, worker="fast")[0]
        check(t2["_id"] == t1["_id"] and t2["lease"] != t1["lease"], "re-leased: %r %r" % (t1, t2))
        check(report(srv, t1, "complete").status == 409, "late report under an expired lease")
        check(report(srv, t2, "error", message="device unreachable").status == 200, "error report")
        doc = srv.wait_job_data(job2)
        check(doc["status"] == "complete" and doc["variables"]["reply"] == {"failed": True},
              "the error edge ran: %r" % doc["variables"])
        check(any("device unreachable" in str(e.get("message")) for e in doc["error"]), doc["error"])
        # 3. Nobody answers: the task times out (1.5 s here) and takes its error edge.
        job3 = srv.start_job_id(NAME, {"message": "nobody"})
        doc = srv.wait_job_data(job3, timeout=20)
        check(doc["variables"]["reply"] == {"failed": True}, doc["variables"])
        check(any("No adapter worker finished" in str(e.get("message")) for e in doc["error"]),
              doc["error"])
        # 4. The example worker serves a job.
        job4 = srv.start_job_id(NAME, {"message": "from the worker"})
        w = subprocess.run([sys.executable, os.path.join(ic.REPO_ROOT, "examples", "workers", "echo_worker.py"),
                            "--url", srv.url, "--user", ic.ADMIN_USER,
                            "--password", ic.ADMIN_PASSWORD, "--apps", "Echo", "--count", "1"],
                           capture_output=True, text=True, timeout=30)
        check(w.returncode == 0, "worker: %s %s" % (w.stdout, w.stderr))
        doc = srv.wait_job_data(job4)
        check(doc["status"] == "complete", doc["status"])
        check(doc["variables"]["reply"]["echo"]["message"] == "from the worker", doc["variables"])
    print("adapter_workers: ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL: %s" % e)
        sys.exit(1)
