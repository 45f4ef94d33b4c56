"""The operator's page without a browser (issue 13): GET /operations-manager/jobs/:id/waiting
(manual task, delay, paused with who paused it and when (kept over a restart), an adapter task's
worker lease, error-free ends, GBAC, bad ids), GET /operations-manager/work-queue,
the page's files at / and /ui/ (embedded in the binary), and the CLI commands `why`, `pause`,
`resume`, `cancel`, `tasks --mine`, `finish`, `completion bash` and the command list.
"""
import json
import os
import subprocess
import sys
import signal
import time

from itest_common import (ADMIN_PASSWORD, ADMIN_USER, REPO_ROOT, RestartDir, Server, arg_parser,
                          check, report)

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ADAPTER_WF = os.path.join(REPO_ROOT, "examples", "Example - Adapter Worker.json")
ADAPTER_NAME = "Example - Adapter Worker"


def manual_wf(name, task_groups=()):
    return {
        "name": name, "type": "automation", "canvasVersion": 3, "groups": [],
        "tasks": {
            "workflow_start": {"name": "workflow_start", "groups": [], "x": 0, "y": 0},
            "m001": {"name": "ViewData", "summary": "Approve the change", "app": "WorkFlowEngine",
                     "location": "Application", "type": "manual",
                     "view": "/workflow_engine/task/ViewData", "groups": list(task_groups),
                     "variables": {"incoming": {"header": "h", "message": "m", "body": "b",
                                                "variables": "", "btn_success": "ok",
                                                "btn_failure": "no"},
                                   "outgoing": {}, "error": "", "decorators": []}},
            "workflow_end": {"name": "workflow_end", "groups": []},
        },
        "transitions": {
            "workflow_start": {"m001": {"type": "standard", "state": "success"}},
            "m001": {"workflow_end": {"type": "standard", "state": "success"}},
            "workflow_end": {},
        },
    }


def delay_wf(name, seconds):
    return {
        "name": name, "type": "automation", "canvasVersion": 3, "groups": [],
        "tasks": {
            "workflow_start": {"name": "workflow_start", "groups": []},
            "d001": {"name": "delay", "summary": "Wait for the window", "app": "WorkFlowEngine",
                     "location": "Application", "type": "operation", "groups": [],
                     "variables": {"incoming": {"time": seconds}, "outgoing": {},
                                   "error": "", "decorators": []}},
            "workflow_end": {"name": "workflow_end", "groups": []},
        },
        "transitions": {
            "workflow_start": {"d001": {"type": "standard", "state": "success"}},
            "d001": {"workflow_end": {"type": "standard", "state": "success"}},
            "workflow_end": {},
        },
    }


def stub_error_wf(name):
    """One stub task that ends in error (a job that ends in error at once)."""
    wf = delay_wf(name, 0)
    wf["tasks"]["d001"] = {"name": "stub", "summary": "Configure device", "app": "WorkFlowEngine",
                           "location": "Application", "type": "automatic", "groups": [],
                           "variables": {"incoming": {"type": "error", "delay": 0,
                                                      "response": "the device refused"},
                                         "outgoing": {}, "error": "", "decorators": []}}
    return wf


def waiting(srv, job, headers=None):
    return srv.request("GET", "/operations-manager/jobs/%s/waiting" % job,
                       headers=headers, auth=headers is None)


def until(cond, what, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def cli(binary, srv, *args, user=ADMIN_USER, password=ADMIN_PASSWORD):
    env = dict(os.environ, OPSFLOW_URL=srv.url, OPSFLOW_USER=user, OPSFLOW_PASSWORD=password)
    env.pop("OPSFLOW_TOKEN", None)
    p = subprocess.run([binary] + list(args), env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    args = arg_parser().parse_args()
    failures = []

    def expect(cond, msg):
        if not cond:
            failures.append(msg)

    with Server(args.binary) as srv:
        # A group, a user in it and one outside it; the manual task is for the group only.
        r = srv.request("POST", "/authorization/groups", body={"name": "approvers"})
        check(r.status == 200, "create group: %r" % r)
        gid = r.json()["_id"]
        tokens = {}
        for user, groups in (("ann", [gid]), ("bob", [])):
            r = srv.request("POST", "/authorization/accounts",
                            body={"username": user, "password": user + "-pass-1",
                                  "groups": groups})
            check(r.status == 200, "create %s: %r" % (user, r))
            r = srv.post_login(user, user + "-pass-1")
            check(r.status == 200, "login %s: %r" % (user, r))
            tokens[user] = {"Authorization": "Bearer " + r.text.strip()}
        docs = [manual_wf("op-manual", [gid]), delay_wf("op-delay", 600),
                delay_wf("op-quick", 0.01), delay_wf("op-second", 1), stub_error_wf("op-fail")]
        r = srv.request("POST", "/automation-studio/automations/import", body={"automations": docs})
        check(r.status == 200, "import: %r" % r)

        # A manual task not claimed: who may claim it, since when.
        job = srv.start_job_id("op-manual")
        r = waiting(srv, job)
        expect(r.status == 200, "waiting manual: %r" % r)
        d = r.json()["data"] if r.status == 200 else {}
        kinds = [x["kind"] for x in d.get("reasons", [])]
        expect(kinds == ["manual"], "manual job reasons %s" % kinds)
        if kinds == ["manual"]:
            m = d["reasons"][0]
            expect(m["task"] == "m001" and m["claimedBy"] is None and m["groups"] == [gid],
                   "manual reason fields: %s" % m)
            expect("not claimed since" in m["text"] and gid in m["text"], "manual text: %s" % m)
            expect(d["summary"].startswith("job %s is running: manual task m001 (Approve"
                                           % job), "summary: %s" % d["summary"])

        # The work queue: ann (in the group) may act; bob sees the job but may not act.
        r = srv.request("GET", "/operations-manager/work-queue?show=available",
                        headers=tokens["ann"], auth=False)
        q = r.json()["data"] if r.status == 200 else []
        expect(any(t["job"]["_id"] == job and t["mayAct"] for t in q), "ann's queue: %r" % r)
        r = srv.request("GET", "/operations-manager/work-queue?show=available",
                        headers=tokens["bob"], auth=False)
        expect(r.status == 200 and all(t["job"]["_id"] != job for t in r.json()["data"]),
               "bob's available queue must not hold the job: %r" % r)
        r = srv.request("GET", "/operations-manager/work-queue?show=sideways")
        expect(r.status == 400 and "show must be" in r.json()["message"], "bad show: %r" % r)

        # Claimed: the explanation names the holder; `tasks --mine` lists it for ann.
        q = srv.request("GET", "/operations-manager/work-queue", headers=tokens["ann"],
                        auth=False).json()["data"]
        iteration = [t for t in q if t["job"]["_id"] == job][0]["_id"]
        r = srv.request("POST", "/operations-manager/tasks/%s/claim" % iteration,
                        headers=tokens["ann"], auth=False)
        expect(r.status == 200, "claim: %r" % r)
        r = waiting(srv, job)
        expect("claimed by ann" in r.text, "claimed text: %r" % r)
        rc, out, err = cli(args.binary, srv, "tasks", "--mine", user="ann",
                           password="ann-pass-1")
        expect(rc == 0 and job in out and "m001" in out, "tasks --mine: %d %s %s" % (rc, out, err))
        rc, out, err = cli(args.binary, srv, "tasks", "--mine")
        expect(rc == 0 and "no manual task is claimed by you" in out, "admin --mine: %s" % out)

        # `opsflow why`: the same sentence; --json the API's data.
        rc, out, err = cli(args.binary, srv, "why", job)
        expect(rc == 0 and out.strip() == waiting(srv, job).json()["data"]["summary"],
               "why: %d %r %r" % (rc, out, err))
        rc, out, err = cli(args.binary, srv, "why", "--json", job)
        expect(rc == 0 and json.loads(out)["reasons"][0]["kind"] == "manual", "why --json: %s" % out)
        rc, out, err = cli(args.binary, srv, "why", "nope")
        expect(rc == 1 and "HTTP 400" in err, "why bad id: %d %r" % (rc, err))

        # Pause: the explanation says so; resume; GBAC: a hidden job is 404 as an unknown one.
        rc, out, err = cli(args.binary, srv, "pause", job)
        expect(rc == 0 and out.startswith("ok"), "pause: %d %s %s" % (rc, out, err))
        r = waiting(srv, job)
        kinds = [x["kind"] for x in r.json()["data"]["reasons"]] if r.status == 200 else []
        expect(kinds[:1] == ["paused"], "paused reasons: %s" % kinds)
        rc, out, err = cli(args.binary, srv, "resume", job, "0123456789abcdef01234567")
        expect(rc == 1 and out.startswith("ok") and "FAILED" in out, "resume mixed: %s" % out)
        r = srv.request("POST", "/operations-manager/jobs/start",
                        body={"workflow": "op-manual", "options": {"groups": [gid]}})
        hidden = r.json()["data"]["_id"]
        r = waiting(srv, hidden, headers=tokens["bob"])
        missing = waiting(srv, "0123456789abcdef01234567", headers=tokens["bob"])
        expect(r.status == 404 and missing.status == 404 and
               r.json()["message"].replace(hidden, "X") ==
               missing.json()["message"].replace("0123456789abcdef01234567", "X"),
               "hidden job: %r / %r" % (r, missing))
        r = waiting(srv, hidden, headers=tokens["ann"])
        expect(r.status == 200, "ann sees the group's job: %r" % r)
        r = waiting(srv, "xyz")
        expect(r.status == 400, "bad id: %r" % r)
        r = srv.request("GET", "/operations-manager/jobs/%s/waiting" % job, auth=False)
        expect(r.status == 401, "no token: %r" % r)

        # Finish from the CLI as ann; the job completes and waits on nothing.
        rc, out, err = cli(args.binary, srv, "finish", job, "m001", "--var", "ok=true",
                           user="ann", password="ann-pass-1")
        expect(rc == 0, "finish: %d %s %s" % (rc, out, err))
        srv.wait_job(job)
        r = waiting(srv, job)
        expect(r.status == 200 and r.json()["data"]["reasons"] == [] and
               "complete: it waits on nothing" in r.json()["data"]["summary"], "done: %r" % r)

        # A delay: until when.
        djob = srv.start_job_id("op-delay")
        r = until(lambda: (lambda w: w if w.status == 200 and any(
            x["kind"] == "delay" for x in w.json()["data"]["reasons"]) else None)(
                waiting(srv, djob)), "the delay to show")
        reason = [x for x in r.json()["data"]["reasons"] if x["kind"] == "delay"][0]
        expect(reason["task"] == "d001" and reason["until"].endswith("Z") and
               "is a delay until" in reason["text"], "delay reason: %s" % reason)
        rc, out, err = cli(args.binary, srv, "cancel", djob)
        expect(rc == 0, "cancel: %s %s" % (out, err))

        # start --wait follows the job through the event stream: live progress on stderr (tasks
        # done of total, the task running, elapsed), the result on stdout, 0 on complete.
        rc, out, err = cli(args.binary, srv, "start", "op-second", "--wait")
        expect(rc == 0 and "status: complete" in out, "start --wait: %d %s %s" % (rc, out, err))
        expect("running: Wait for the window" in err and "3/3 tasks done" in err,
               "start --wait progress: %s" % err)
        rc, out, err = cli(args.binary, srv, "start", "op-fail", "--wait")
        expect(rc == 1 and "status: error" in out and "d001: stub: finished in error" in err,
               "start --wait on a failing job: %d %s %s" % (rc, out, err))

        # The page: index at /, assets under /ui/, types, caching, errors in sentences.
        r = srv.request("GET", "/", auth=False)
        expect(r.status == 200 and r.header("Content-Type").startswith("text/html") and
               b'src="/ui/app.js"' in r.body, "index: %r" % r)
        expect("default-src 'self'" in (r.header("Content-Security-Policy") or ""), "csp")
        etag = r.header("ETag")
        r = srv.request("GET", "/", auth=False, headers={"If-None-Match": etag})
        expect(r.status == 304, "etag revalidation: %r" % r)
        total = 0
        for name in sorted(os.listdir(os.path.join(os.path.dirname(TESTS_DIR), "web"))):
            r = srv.request("GET", "/ui/" + name, auth=False)
            expect(r.status == 200, "asset %s: %r" % (name, r))
            total += len(r.body)
            if name.endswith(".js"):
                expect(r.header("Content-Type").startswith("text/javascript"), "js type " + name)
        print("page assets: %d bytes uncompressed" % total)
        r = srv.request("GET", "/ui/nope.js", auth=False)
        expect(r.status == 404 and "no web page file" in r.json()["message"], "missing: %r" % r)
        r = srv.request("GET", "/ui/../api.js", auth=False)
        expect(r.status == 404, "dot-dot: %r" % r)
        r = srv.request("POST", "/ui/app.js", body={}, auth=False)
        expect(r.status == 405, "post asset: %r" % r)
        r = srv.request("GET", "/operations-manager/jobs?limit=1")
        expect(r.status == 200, "the API still answers: %r" % r)

        # The command line: every command listed; completion; usage errors.
        p = subprocess.run([args.binary, "--help"], capture_output=True, text=True)
        for c in ("serve", "import", "start", "jobs", "job", "why", "pause", "resume", "cancel",
                  "retry", "finish", "tasks", "events", "user", "group", "completion"):
            expect("\n  %s " % c in p.stdout, "--help lists %s" % c)
        rc, out, err = cli(args.binary, srv, "completion", "bash")
        expect(rc == 0 and "complete -F _opsflow opsflow" in out, "completion: %s" % err)
        rc, out, err = cli(args.binary, srv, "retry", "only-one")
        expect(rc == 2 and "error:" in err, "retry usage: %d %s" % (rc, err))

    pauser_and_lease(args.binary, failures)
    return report("operator_page", failures)


def paused_reason(srv, job):
    r = waiting(srv, job)
    rs = [x for x in r.json()["data"]["reasons"] if x["kind"] == "paused"] if r.status == 200 else []
    return rs[0] if rs else None


def adapter_reason(srv, job):
    r = waiting(srv, job)
    rs = [x for x in r.json()["data"]["reasons"] if x["kind"] == "adapter"] if r.status == 200 else []
    return rs[0] if rs else None


def pauser_and_lease(binary, failures):
    """Who paused a job (and when) survives a restart; an adapter task's worker lease."""
    def expect(cond, msg):
        if not cond:
            failures.append(msg)

    with RestartDir(binary, "opsflow-why-", failures) as rd:
        srv = rd.start("server1")
        r = srv.request("POST", "/authorization/accounts",
                        body={"username": "carol", "password": "carol-pass-1", "groups": []})
        check(r.status == 200, "create carol: %r" % r)
        carol = {"Authorization": "Bearer " + srv.post_login("carol", "carol-pass-1").text.strip()}
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [manual_wf("why-manual")]})
        check(r.status == 200, "import: %r" % r)
        srv.import_file(ADAPTER_WF)

        # Paused by carol: who and when, in the text, the fields and the CLI.
        job = srv.start_job_id("why-manual")
        until(lambda: any(x["kind"] == "manual" for x in waiting(srv, job).json()["data"]["reasons"]),
              "the manual task to wait")
        r = srv.request("POST", "/operations-manager/jobs/pause", body={"jobIds": [job]},
                        headers=carol, auth=False)
        expect(r.status == 200 and r.json()["data"][0]["success"], "carol pauses: %r" % r)
        p = paused_reason(srv, job)
        expect(p is not None and p["pausedBy"] == "carol" and p["since"].endswith("Z") and
               ("paused by carol since " + p["since"]) in p["text"], "paused reason: %s" % p)
        rc, out, err = cli(binary, srv, "why", job)
        expect(rc == 0 and "paused by carol since" in out, "why paused: %d %s %s" % (rc, out, err))

        # An adapter task nobody took yet, then leased by worker w7.
        ajob = srv.start_job_id(ADAPTER_NAME, {"message": "hi"})
        a = until(lambda: adapter_reason(srv, ajob), "the adapter task to wait")
        expect(a["lease"]["state"] == "notLeased" and "not leased yet" in a["text"],
               "adapter not leased: %s" % a)
        r = srv.request("POST", "/adapter-workers/poll",
                        body={"worker": "w7", "apps": ["Echo"], "lease_ms": 600000, "max_tasks": 1})
        expect(r.status == 200 and len(r.json()["data"]) == 1, "poll: %r" % r)
        a = adapter_reason(srv, ajob)
        expect(a and a["lease"]["state"] == "leased" and a["lease"]["worker"] == "w7" and
               ("leased by worker w7 until " + a["lease"]["until"]) in a["text"],
               "adapter leased: %s" % a)
        rc, out, err = cli(binary, srv, "why", ajob)
        expect(rc == 0 and "leased by worker w7 until" in out, "why adapter: %d %s %s" % (rc, out, err))

        # A restart: the pauser and the time are kept in the job's stored state.
        since = p["since"] if p else None
        srv.kill(signal.SIGTERM)
        srv = rd.start("server2")
        p = paused_reason(srv, job)
        expect(p is not None and p["pausedBy"] == "carol" and p["since"] == since,
               "paused reason after restart: %s (before %s)" % (p, since))
        # Resumed, then paused again by admin: the new pauser; resumed: no paused reason.
        r = srv.request("POST", "/operations-manager/jobs/resume", body={"jobIds": [job]})
        expect(r.status == 200 and r.json()["data"][0]["success"], "resume: %r" % r)
        expect(paused_reason(srv, job) is None, "no paused reason once resumed")
        rc, out, err = cli(binary, srv, "pause", job)
        p = paused_reason(srv, job)
        expect(p is not None and p["pausedBy"] == ADMIN_USER, "paused by admin: %s" % p)
        srv.request("POST", "/operations-manager/jobs/cancel", body={"jobIds": [job, ajob]})


if __name__ == "__main__":
    sys.exit(main())
