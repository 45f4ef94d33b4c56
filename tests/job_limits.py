#!/usr/bin/env python3
"""What one user or one job may make the server hold (issue 9, README "Limits"): running jobs
per user, child-job depth and descendants, the size of a task's output and of a job's variables;
and job control stays prompt while the largest allowed job runs.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_jobs as cj  # noqa: E402
import itest_common as ic  # noqa: E402

FAILURES = []


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print("FAIL: " + msg)
    return cond


def waiting(name):
    """start -> a manual task -> end: a job that stays running until a person acts."""
    return cj.workflow(name, {"m1": cj.task("ViewData", {"header": "h", "message": "m",
                                                         "body": "b", "variables": "",
                                                         "btn_success": "ok",
                                                         "btn_failure": "no"},
                                            {}, type="manual",
                                            view="/workflow_engine/task/ViewData")}, ["m1"])


def doubling(name, steps, copy=False):
    """Each step doubles job variable `s` (stringConcat s+s); with `copy`, one more step writes
    the doubled value into `t` as well, so the variables hold about twice `s`."""
    tasks, chain = {}, []
    for i in range(steps):
        tid = "d%d" % i
        tasks[tid] = cj.task("stringConcat", {"str": "$var.job.s", "stringN": "$var.job.s"},
                             {"combinedStrings": "$var.job.s"})
        chain.append(tid)
    if copy:
        tasks["cp"] = cj.task("stringConcat", {"str": "$var.job.s", "stringN": ""},
                              {"combinedStrings": "$var.job.t"})
        chain.append("cp")
    return cj.workflow(name, tasks, chain)


def error_text(srv, job_id):
    doc = srv.wait_job_data(job_id)
    return doc["status"], " ".join(str(e.get("message", e)) for e in doc.get("error", []))


def login_user(srv, name):
    r = srv.request("POST", "/authorization/accounts",
                    body={"username": name, "password": name + "-pass-1"})
    check(r.status == 200, "create %s: %r" % (name, r))
    r = srv.post_login(name, name + "-pass-1")
    return {"Authorization": "Bearer " + r.text.strip()}


def test_running_per_user(binary):
    with ic.Server(binary, ["--max-running-jobs-per-user", "2"]) as srv:
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [waiting("lim-wait")]})
        check(r.status == 200, "import: %r" % r)
        user = login_user(srv, "lim-user")
        body = {"workflow": "lim-wait", "options": {}}
        ids = []
        for i in range(2):
            r = srv.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                            headers=user)
            check(r.status == 200, "start %d: %r" % (i, r))
            ids.append(r.json()["data"]["_id"])
        r = srv.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                        headers=user)
        check(r.status == 429 and "--max-running-jobs-per-user" in r.text,
              "third start is refused naming the limit: %r" % r)
        # a manual trigger run counts as the same user's start
        a = srv.request("POST", "/operations-manager/automations",
                        body={"name": "lim-auto", "componentName": "lim-wait"})
        t = srv.request("POST", "/operations-manager/triggers",
                        body={"name": "lim-m", "type": "manual", "actionType": "automations",
                              "actionId": a.json()["data"]["_id"], "enabled": True})
        r = srv.request("POST", "/operations-manager/triggers/manual/%s/run"
                        % t.json()["data"]["_id"], body={}, auth=False, headers=user)
        check(r.status == 429, "a manual trigger run over the limit: %r" % r)
        # admins are not limited
        for i in range(3):
            r = srv.request("POST", "/operations-manager/jobs/start", body=body)
            check(r.status == 200, "admin start %d: %r" % (i, r))
        # a paused job still counts; a canceled one no longer does
        srv.request("POST", "/operations-manager/jobs/pause", body={"jobIds": [ids[0]]})
        r = srv.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                        headers=user)
        check(r.status == 429, "a paused job still counts: %r" % r)
        srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [ids[0]]})
        deadline = time.monotonic() + 10
        while True:
            r = srv.request("POST", "/operations-manager/jobs/start", body=body, auth=False,
                            headers=user)
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        check(r.status == 200, "after a cancel the user may start again: %r" % r)


def test_child_bounds(binary):
    with ic.Server(binary, ["--max-child-depth", "3", "--max-descendants", "5"]) as srv:
        loop = [{"k": i} for i in range(6)]
        docs = [cj.workflow("lim-self", {"c": cj.child_job("lim-self")}, ["c"]),
                cj.workflow("lim-leaf", {}, []),
                cj.workflow("lim-wide", {"c": cj.child_job("lim-leaf", {}, loop)}, ["c"]),
                cj.workflow("lim-ok", {"c": cj.child_job("lim-leaf", {}, loop[:5])}, ["c"])]
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": docs})
        check(r.status == 200, "import: %r" % r)
        before = srv.job_count()
        root = srv.start_job_id("lim-self")
        deadline = time.monotonic() + 20
        deepest = None
        while time.monotonic() < deadline:
            r = srv.request("GET", "/operations-manager/jobs?limit=100&equals[name]=lim-self")
            errs = [d for d in r.json()["data"] if d["status"] == "error"]
            if errs:
                deepest = errs[0]
                break
            time.sleep(0.05)
        check(deepest is not None, "a self-starting workflow stops with an error")
        if deepest:
            msg = " ".join(str(e.get("message", e)) for e in deepest.get("error", []))
            check("--max-child-depth" in msg and len(deepest["ancestors"]) == 4,
                  "the job at depth 3 fails naming the limit: %s %s"
                  % (msg, deepest.get("ancestors")))
        check(srv.job_count() - before == 4, "root + 3 nested children, no more: %d"
              % (srv.job_count() - before))
        r = srv.request("GET", "/operations-manager/jobs/" + root)
        check(r.json()["data"]["status"] == "running", "the root waits for its child in error")
        status, msg = error_text(srv, srv.start_job_id("lim-wide"))
        check(status == "error" and "--max-descendants" in msg,
              "6 children of one root with a limit of 5: %s %s" % (status, msg))
        status, _ = error_text(srv, srv.start_job_id("lim-ok"))
        check(status == "complete", "5 children are allowed: %s" % status)


def test_sizes(binary):
    args = ["--max-value-bytes", "100000", "--max-variables-bytes", "150000"]
    with ic.Server(binary, args) as srv:
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [doubling("lim-value", 6),
                                              doubling("lim-vars", 3, copy=True),
                                              doubling("lim-fine", 2, copy=True)]})
        check(r.status == 200, "import: %r" % r)
        status, msg = error_text(srv, srv.start_job_id("lim-value", {"s": "x" * 10000}))
        check(status == "error" and "--max-value-bytes" in msg,
              "a task output over the value limit: %s %s" % (status, msg))
        job = srv.start_job_id("lim-vars", {"s": "x" * 10000})
        status, msg = error_text(srv, job)
        check(status == "error" and "--max-variables-bytes" in msg,
              "variables over the limit: %s %s" % (status, msg))
        doc = srv.wait_job_data(job)
        check("t" not in doc["variables"] and len(doc["variables"]["s"]) == 80000,
              "the refused write left the variables as they were")
        status, msg = error_text(srv, srv.start_job_id("lim-fine", {"s": "x" * 10000}))
        check(status == "complete", "below both limits: %s %s" % (status, msg))


def test_prompt_control(binary):
    """A job near the size limit (defaults: 16 MB of variables) waits; health checks and a cancel
    answer promptly (figures printed; the issue's target is 1 s)."""
    with ic.Server(binary, ["--max-body-bytes", "20000000"]) as srv:
        wf = doubling("lim-big", 1, copy=False)
        wf["tasks"].update(waiting("x")["tasks"])
        wf["transitions"]["d0"] = {"m1": {"type": "standard", "state": "success"}}
        wf["transitions"]["m1"] = {"workflow_end": {"type": "standard", "state": "success"}}
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [wf]})
        check(r.status == 200, "import: %r" % r)
        job = srv.start_job_id("lim-big", {"s": "x" * (7 * 1024 * 1024)})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r = srv.request("GET", "/operations-manager/jobs/%s/tasks/m1/manual-controller" % job)
            if r.status == 200:
                break
            time.sleep(0.1)
        check(r.status == 200, "the 14 MB job waits on its manual task: %r" % r)
        worst = 0.0
        for _ in range(5):
            t0 = time.monotonic()
            r = srv.request("GET", "/health/status")
            worst = max(worst, time.monotonic() - t0)
            check(r.status == 200, "health: %r" % r)
        t0 = time.monotonic()
        r = srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [job]})
        cancel_s = time.monotonic() - t0
        check(r.status == 200 and r.json()["data"][0]["success"], "cancel: %r" % r)
        print("job_limits: 14 MB job: health worst %.3f s, cancel %.3f s" % (worst, cancel_s))
        # The issue's target is 1 s (an idle machine: about 0.5 s, most of it SQLite rewriting the
        # job's 14 MB row). Asserted with margin, since suites share 2 cores in parallel and the
        # sanitizer build is slower: what must never happen is the old minutes-long stall.
        check(worst < 5.0 and cancel_s < 5.0, "health and cancel answer promptly")


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    tests = [test_running_per_user, test_child_bounds, test_sizes, test_prompt_control]
    for t in tests:
        try:
            t(binary)
        except Exception as e:  # noqa: BLE001 - report and go on
            check(False, "%s raised %r" % (t.__name__, e))
    if FAILURES:
        print("job_limits: %d failure(s)" % len(FAILURES))
        return 1
    print("job_limits: %d tests passed" % len(tests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
