#!/usr/bin/env python3
"""childJob (SPEC §5 "Child jobs") and the workflow errorHandler, against a real server:
single child with job_details filtered by the child's outputSchema; parallel and sequential
loops; parent/ancestors; groups inherited; a child in error keeps the parent waiting and its
cancel takes the parent's error edge; pause, resume and cancel reach the children; the loop-size
limit; a kill -9 while children wait starts no child twice; an errorHandler that is a childJob."""
import json
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402


def task(name, incoming, outgoing=None, **extra):
    t = {"name": name, "app": "WorkFlowEngine", "location": "Application",
         "type": extra.pop("type", "automatic"), "groups": [],
         "variables": {"incoming": incoming, "outgoing": outgoing or {}, "error": "",
                       "decorators": []}}
    t.update(extra)
    return t


def workflow(name, tasks, chain, extra_transitions=None, **fields):
    """`chain` lists task ids between workflow_start and workflow_end, linked by success."""
    all_tasks = {"workflow_start": {"name": "workflow_start", "groups": []},
                 "workflow_end": {"name": "workflow_end", "groups": []}}
    all_tasks.update(tasks)
    ids = ["workflow_start"] + chain + ["workflow_end"]
    transitions = {i: {} for i in all_tasks}
    for a, b in zip(ids, ids[1:]):
        transitions[a][b] = {"type": "standard", "state": "success"}
    for (a, b, state) in extra_transitions or []:
        transitions[a][b] = {"type": "standard", "state": state}
    doc = {"name": name, "type": "automation", "canvasVersion": 3, "font_size": 12,
           "groups": [], "tags": [], "tasks": all_tasks, "transitions": transitions}
    doc.update(fields)
    return doc


def child_job(wf, variables=None, data_array="", loop_type="", out="details"):
    return task("childJob", {"task": "", "workflow": wf, "variables": variables or {},
                             "data_array": data_array, "transformation": "",
                             "loopType": loop_type},
                {"job_details": "$var.job.%s" % out}, actor="job", type="operation")


CONCAT = workflow(
    "Child Concat",
    {"c1": task("stringConcat", {"str": "$var.job.n", "stringN": ["-done"]},
                {"combinedStrings": "$var.job.result"})},
    ["c1"],
    outputSchema={"type": "object", "properties": {"result": {"type": "string"}}})
WAIT = workflow(
    "Child Wait",
    {"m1": task("ViewData", {"header": "h", "message": "m", "body": "$var.job.n",
                             "variables": "", "btn_success": "ok", "btn_failure": "no"},
                {}, type="manual", view="/workflow_engine/task/ViewData")},
    ["m1"])
FAIL = workflow("Child Fail", {"s1": task("stub", {"type": "error", "delay": 0,
                                                    "response": "boom"})}, ["s1"])
KEEP = workflow("Child Keep", {}, [])
SEALED = workflow("Child Sealed", {}, [],
                  decorators=[{"type": "encryption", "pointer": "/variables/token"}])

PARENTS = [
    workflow("P Single", {"cj": child_job("Child Concat", {"n": {"task": "job", "value": "n"}})},
             ["cj"]),
    workflow("P Secret", {"cj": child_job("Child Concat", {"n": {"task": "job", "value": "n"}})},
             ["cj"], decorators=[{"type": "encryption", "pointer": "/variables/n"}]),
    workflow("P Child Secret",
             {"cj": child_job("Child Sealed", {"token": {"task": "job", "value": "token"}})},
             ["cj"]),
    workflow("P Parallel", {"cj": child_job("Child Concat", {}, "$var.job.items", "parallel")},
             ["cj"]),
    workflow("P Sequential",
             {"cj": child_job("Child Concat", {}, "$var.job.items", "sequential")}, ["cj"]),
    workflow("P Wait", {"cj": child_job("Child Wait", {}, "$var.job.items", "parallel")},
             ["cj"]),
    workflow("P Wait Seq", {"cj": child_job("Child Wait", {}, "$var.job.items", "sequential")},
             ["cj"], extra_transitions=[("cj", "workflow_end", "error")]),
    workflow("P Fail", {"cj": child_job("Child Fail")}, ["cj"],
             extra_transitions=[("cj", "workflow_end", "error")]),
    workflow("P Handler",
             {"s1": task("stub", {"type": "error", "delay": 0, "response": "bad"})}, ["s1"],
             errorHandler={"name": "childJob", "app": "WorkFlowEngine", "type": "operation",
                           "location": "Application", "actor": "job",
                           "variables": {"incoming": {
                               "task": "", "workflow": "Child Keep", "data_array": "",
                               "transformation": "", "loopType": "",
                               "variables": {"err": {"task": "job", "value": "error"}}},
                               "outgoing": {"job_details": "$var.job.handled"}}}),
]


def children(srv, job_id):
    r = srv.request("GET", "/operations-manager/jobs?limit=100&equals[parent.job]=" + job_id)
    check(r.status == 200, "children of %s: %r" % (job_id, r))
    return r.json()["data"]


def job(srv, job_id):
    r = srv.request("GET", "/operations-manager/jobs/" + job_id)
    check(r.status == 200, "job %s: %r" % (job_id, r))
    return r.json()["data"]


def eventually(fn, what, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def import_all(srv):
    for wf in [CONCAT, WAIT, FAIL, KEEP, SEALED] + PARENTS:
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [wf]})
        check(r.status == 200, "import %s: %r" % (wf["name"], r))


def test_single(srv):
    r = srv.request("POST", "/authorization/groups", body={"name": "childgroup"})
    check(r.status in (200, 201), "create group: %r" % r)
    gid = r.json()["data"]["_id"] if "data" in r.json() else r.json()["_id"]
    pid = srv.start_job_id("P Single", {"n": "x"}, groups=[gid])
    p = srv.wait_job_data(pid)
    check(p["status"] == "complete", "P Single: %s %s" % (p["status"], p.get("error")))
    check(p["variables"]["details"] == {"result": "x-done"},
          "job_details filtered by outputSchema: %r" % p["variables"].get("details"))
    kids = children(srv, pid)
    check(len(kids) == 1, "one child: %r" % kids)
    c = kids[0]
    check(c["parent"]["job"] == pid and c["parent"]["task"] == "cj", "parent: %r" % c["parent"])
    check(c["parent"]["iteration"] == p["tasks"]["cj"]["iterations"][0],
          "parent.iteration: %r" % c["parent"])
    check(c["ancestors"] == [pid, c["_id"]], "ancestors: %r" % c["ancestors"])
    check(c["groups"] == [gid], "child inherits groups: %r" % c["groups"])


def test_secret_reaches_child_sealed(srv):
    secret = "s3cr3t-child-value"
    pid = srv.start_job_id("P Secret", {"n": secret})
    p = srv.wait_job_data(pid)
    check(p["status"] == "complete", "P Secret: %s %s" % (p["status"], p.get("error")))
    kid = children(srv, pid)[0]
    check(kid["variables"]["n"] == "****", "the child shows the secret masked: %r" % kid["variables"])
    check(secret not in str(kid) and secret not in str(p), "no clear secret in the documents")
    for root, _, files in os.walk(srv.data_dir):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                check(secret.encode() not in fh.read(), "clear secret in %s" % f)


def test_child_secret_reaches_parent_masked(srv):
    pid = srv.start_job_id("P Child Secret", {"token": "tok-abc-123"})
    p = srv.wait_job_data(pid)
    check(p["status"] == "complete", "P Child Secret: %s" % p["status"])
    check(p["variables"]["details"]["token"] == "****",
          "the child's secret reaches the parent masked: %r" % p["variables"]["details"])
    it = p["tasks"]["cj"]["iterations"][0]
    r = srv.request("GET", "/operations-manager/tasks/" + it)
    check("tok-abc-123" not in json.dumps(r.json()["data"]["variables"]["outgoing"]),
          "no clear child secret in the parent task's outgoing: %r" % r.json()["data"])


def test_loops(srv):
    items = [{"n": str(i)} for i in range(5)]
    for name in ("P Parallel", "P Sequential"):
        pid = srv.start_job_id(name, {"items": items})
        p = srv.wait_job_data(pid)
        check(p["status"] == "complete", "%s: %s %s" % (name, p["status"], p.get("error")))
        d = p["variables"]["details"]
        check(d["status"] == "complete", "%s loop status: %r" % (name, d))
        got = [(e["childJobLoopIndex"], e["status"], e["result"]) for e in d["loop"]]
        check(got == [(i, "complete", "%d-done" % i) for i in range(5)], "%s loop: %r" % (name, got))
        kids = sorted(children(srv, pid), key=lambda c: c["parent"]["element"])
        check(len(kids) == 5, "%s: 5 children, got %d" % (name, len(kids)))
        if name == "P Sequential":
            for a, b in zip(kids, kids[1:]):
                check(b["metrics"]["start_time"] >= a["metrics"]["end_time"],
                      "sequential: child %d started before child %d ended" %
                      (b["parent"]["element"], a["parent"]["element"]))
    # An empty loop succeeds at once with an empty loop list.
    p = srv.wait_job_data(srv.start_job_id("P Parallel", {"items": []}))
    check(p["status"] == "complete" and p["variables"]["details"]["loop"] == [],
          "empty loop: %r" % p["variables"].get("details"))
    # A data_array element that is not an object is a task error naming it.
    p = srv.wait_job_data(srv.start_job_id("P Parallel", {"items": [1]}))
    check(p["status"] == "error" and "element 0" in str(p["error"]), "bad element: %r" % p["error"])


def test_error_child_then_cancel(srv):
    pid = srv.start_job_id("P Fail", {})
    kid = eventually(lambda: children(srv, pid), "the child of P Fail")[0]
    eventually(lambda: job(srv, kid["_id"])["status"] == "error", "child in error")
    time.sleep(0.2)
    check(job(srv, pid)["status"] == "running", "a child in error keeps the parent waiting")
    r = srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [kid["_id"]]})
    check(r.status == 200, "cancel child: %r" % r)
    p = srv.wait_job_data(pid)
    check(p["status"] == "complete", "parent after child cancel: %s" % p["status"])
    check(p["tasks"]["cj"]["finish_state"] == "error", "canceled child -> error edge: %r" %
          p["tasks"]["cj"].get("finish_state"))


def manual_tasks_of(srv, job_id):
    r = srv.request("GET", "/operations-manager/tasks?limit=100&equals[job._id]=%s&equals[status]=running" % job_id)
    return r.json()["data"]


def test_propagation(srv):
    items = [{"n": str(i)} for i in range(3)]
    pid = srv.start_job_id("P Wait", {"items": items})
    kids = eventually(lambda: (lambda k: k if len(k) == 3 else None)(children(srv, pid)),
                      "3 children")
    ids = [k["_id"] for k in kids]
    r = srv.request("POST", "/operations-manager/jobs/pause", body={"jobIds": [pid]})
    check(r.status == 200, "pause: %r" % r)
    eventually(lambda: all(job(srv, i)["status"] == "paused" for i in ids), "children paused")
    r = srv.request("POST", "/operations-manager/jobs/resume", body={"jobIds": [pid]})
    eventually(lambda: all(job(srv, i)["status"] == "running" for i in ids), "children resumed")
    r = srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [pid]})
    check(r.status == 200, "cancel: %r" % r)
    eventually(lambda: all(job(srv, i)["status"] == "canceled" for i in ids), "children canceled")
    check(job(srv, pid)["status"] == "canceled", "parent canceled")


def test_sequential_resumes_after_pause(srv):
    pid = srv.start_job_id("P Wait Seq", {"items": [{"n": "a"}, {"n": "b"}]})
    first = eventually(lambda: children(srv, pid), "the first child")[0]["_id"]
    r = srv.request("POST", "/operations-manager/jobs/pause", body={"jobIds": [pid]})
    check(r.status == 200, "pause: %r" % r)
    eventually(lambda: job(srv, first)["status"] == "paused", "first child paused")
    r = srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [first]})
    check(r.status == 200, "cancel the first child: %r" % r)
    time.sleep(0.2)
    check(len(children(srv, pid)) == 1, "a paused parent starts no next child")
    r = srv.request("POST", "/operations-manager/jobs/resume", body={"jobIds": [pid]})
    kids = eventually(lambda: (lambda k: k if len(k) == 2 else None)(children(srv, pid)),
                      "the second child after resume")
    second = [k["_id"] for k in kids if k["_id"] != first][0]
    eventually(lambda: manual_tasks_of(srv, second), "manual task of the second child")
    finish_manual(srv, second)
    p = srv.wait_job_data(pid)
    check(p["status"] == "complete", "P Wait Seq: %s %s" % (p["status"], p["error"]))
    check(p["tasks"]["cj"]["finish_state"] == "error", "a canceled child -> error edge")
    # An errored task maps no outputs to job variables; its iteration still records them.
    it = srv.request("GET", "/operations-manager/tasks/" + p["tasks"]["cj"]["iterations"][-1])
    loop = it.json()["data"]["variables"]["outgoing"]["job_details"]["loop"]
    check([e["status"] for e in loop] == ["canceled", "complete"], "loop: %r" % loop)


def finish_manual(srv, child_id):
    r = srv.finish_task(child_id, "m1")
    check(r.status == 200, "finish m1 of %s: %r" % (child_id, r))


def test_restart(binary):
    items = [{"n": str(i)} for i in range(4)]
    with ic.RestartDir(binary, "opsflow-child-") as rd:
        srv = rd.start()
        import_all(srv)
        par = srv.start_job_id("P Wait", {"items": items})
        eventually(lambda: len(children(srv, par)) == 4, "4 waiting children")
        for k in children(srv, par):
            eventually(lambda k=k: manual_tasks_of(srv, k["_id"]), "manual task of child")
        srv.kill()
        srv = rd.start()
        kids = children(srv, par)
        check(len(kids) == 4, "after restart: still 4 children, got %d" % len(kids))
        for k in kids:
            eventually(lambda k=k: manual_tasks_of(srv, k["_id"]), "manual task of child")
            finish_manual(srv, k["_id"])
        p = srv.wait_job_data(par)
        check(p["status"] == "complete",
              "parent after restart: %s %s" % (p["status"], p["error"]))
        check(len(p["variables"]["details"]["loop"]) == 4, "4 loop entries")
        check(len(children(srv, par)) == 4, "no child started twice")


def test_error_handler(srv):
    pid = srv.start_job_id("P Handler", {})
    p = srv.wait_job_data(pid)
    check(p["status"] == "error", "job with errorHandler ends in error: %s" % p["status"])
    check(any(e["task"] == "s1" for e in p["error"]), "the task error is recorded: %r" % p["error"])
    check("errorHandler" in p["tasks"] and p["tasks"]["errorHandler"]["status"] == "complete",
          "the handler ran: %r" % p["tasks"].get("errorHandler"))
    kids = children(srv, pid)
    check(len(kids) == 1 and kids[0]["parent"]["task"] == "errorHandler", "handler child: %r" % kids)
    err = kids[0]["variables"]["err"]
    check(isinstance(err, list) and err and err[0]["task"] == "s1",
          "the handler saw $var.job.error: %r" % err)
    check(p["variables"]["handled"]["err"] == err, "handler output mapped: %r" %
          p["variables"].get("handled"))


def test_loop_limit(binary):
    with ic.Server(binary, extra_args=["--max-child-loop", "3"]) as srv:
        import_all(srv)
        p = srv.wait_job_data(srv.start_job_id("P Parallel", {"items": [{"n": "a"}] * 4}))
        check(p["status"] == "error", "over the loop limit: %s" % p["status"])
        msg = str(p["error"])
        check("at most 3" in msg and "4 elements" in msg, "limit message: %s" % msg)
        check(children(srv, p["_id"]) == [], "no child started over the limit")


def main():
    args = ic.arg_parser().parse_args()
    tests = 0
    with ic.Server(args.binary) as srv:
        import_all(srv)
        for t in (test_single, test_secret_reaches_child_sealed,
                  test_child_secret_reaches_parent_masked, test_loops,
                  test_error_child_then_cancel, test_propagation,
                  test_sequential_resumes_after_pause,
                  test_error_handler):
            t(srv)
            tests += 1
            print("ok", t.__name__)
    test_restart(args.binary)
    tests += 1
    print("ok test_restart")
    test_loop_limit(args.binary)
    tests += 1
    print("ok test_loop_limit")
    print("child_jobs: %d tests passed" % tests)


if __name__ == "__main__":
    main()
