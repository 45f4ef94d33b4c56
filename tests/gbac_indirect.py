#!/usr/bin/env python3
"""Group-based access on the indirect paths (issue 9, docs/ACCOUNTS.md "Indirect paths"): the
ways a job starts or a workflow is reached without naming it on jobs/start. Same users as
tests/gbac.py (nobody, u1 in g1, u12 in g1+g2, admin), tried as an attacker would:

* childJob (single, parallel and sequential loops, a two-step chain, the errorHandler) starts
  only workflows the job's initiator may see, and the child's groups keep it as private as its
  workflow;
* an automation resolves only to workflows its author may see (componentId and componentName,
  create, update and import), and a trigger run starts only what its runner may see;
* an event trigger fires only for jobs its automation's groups may see (jobStart, jobComplete);
* a workflow `_id` cannot be taken over by an import or a create under another name.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_jobs as cj  # noqa: E402
import gbac  # noqa: E402
import itest_common as ic  # noqa: E402

USERS = gbac.USERS


def secret_child(name, groups):
    """A workflow that sets job variable `secret`: what a parent would read in job_details."""
    return cj.workflow(name, {"n1": cj.task("newVariable", {"name": "secret",
                                                            "value": "s3cr3t-" + name})},
                       ["n1"], groups=groups)


def parents(target):
    """Parents of every shape that reach `target` (a g1 workflow)."""
    items = [{"k": 1}, {"k": 2}]
    return {
        "ij-single": cj.workflow("ij-single", {"c": cj.child_job(target)}, ["c"]),
        "ij-parallel": cj.workflow("ij-parallel", {"c": cj.child_job(target, {}, items,
                                                                     "parallel")}, ["c"]),
        "ij-sequential": cj.workflow("ij-sequential", {"c": cj.child_job(target, {}, items,
                                                                         "sequential")}, ["c"]),
        # two steps: a public middle workflow whose own child is the g1 workflow
        "ij-chain": cj.workflow("ij-chain", {"c": cj.child_job("ij-single")}, ["c"]),
        # the errorHandler: a failing stub, then the handler is a childJob of the g1 workflow
        "ij-handler": cj.workflow(
            "ij-handler",
            {"s": cj.task("stub", {"type": "error", "delay": 0, "response": "boom"})}, ["s"],
            errorHandler={"name": "childJob", "app": "WorkFlowEngine", "type": "operation",
                          "location": "Application", "actor": "job", "groups": [],
                          "variables": {"incoming": {"task": "", "workflow": target,
                                                     "variables": {}, "data_array": "",
                                                     "transformation": "", "loopType": ""},
                                        "outgoing": {"job_details": "$var.job.handled"},
                                        "error": "", "decorators": []}}),
    }


def errors_below(admin, job_id):
    """The error messages of every job below `job_id` (not its own)."""
    r = admin.req("GET", "/operations-manager/jobs?limit=100&equals[parent.job]=" + job_id)
    return [e for child in r.json()["data"] for e in child_errors(admin, child["_id"])]


def child_errors(admin, job_id):
    """The error messages of a finished job and of every job below it."""
    doc = admin.req("GET", "/operations-manager/jobs/" + job_id).json()["data"]
    out = [e.get("message", "") if isinstance(e, dict) else str(e) for e in doc.get("error", [])]
    r = admin.req("GET", "/operations-manager/jobs?limit=100&equals[parent.job]=" + job_id)
    for child in r.json()["data"]:
        out += child_errors(admin, child["_id"])
    return out


def settled(admin, job_id, timeout=30):
    """The job's document once it ended, or once a job below it ended in error (a parent keeps
    waiting for a child in error: SPEC §5). The job's own errors do not count: a task in error
    whose errorHandler starts a child job is not settled until that child ran."""
    deadline = time.monotonic() + timeout
    while True:
        doc = admin.req("GET", "/operations-manager/jobs/" + job_id).json()["data"]
        if doc["status"] != "running" or errors_below(admin, job_id):
            return doc
        if time.monotonic() > deadline:
            raise RuntimeError("job %s neither ended nor failed below" % job_id)
        time.sleep(0.05)


def check_child_jobs(m, clients, groups_of, gid):
    admin = clients["admin"]
    target = "ij-secret-g1"
    docs = [secret_child(target, [gid["g1"]])] + list(parents(target).values())
    r = admin.req("POST", "/automation-studio/automations/import", {"automations": docs})
    assert r.status == 200 and all(x["success"] for x in r.json()["data"]), r
    sees_target = {u: gbac.sees(groups_of, u, [gid["g1"]]) for u in USERS}
    for name in parents(target):
        for user in USERS:
            r = clients[user].req("POST", "/operations-manager/jobs/start",
                                  {"workflow": name, "options": {}})
            if r.status != 200:
                m.cell("childJob %s: start" % name, user, r.status, 200, r)
                continue
            job = r.json()["data"]["_id"]
            settled(admin, job)
            r = admin.req("GET", "/operations-manager/jobs?limit=1000&equals[name]=" + target)
            started = [d["_id"] for d in r.json()["data"] if job in d.get("ancestors", [])]
            m.cell("childJob %s: the g1 workflow ran below it" % name, user, bool(started),
                   sees_target[user], started)
            if not sees_target[user]:
                errs = child_errors(admin, job)
                m.check("childJob %s: refused as a missing workflow" % name, user,
                        any("workflow %s not found" % target in e for e in errs), errs)
    # The child of a public parent keeps the g1 workflow's groups: readable by g1 only.
    r = admin.req("POST", "/operations-manager/jobs/start", {"workflow": "ij-single",
                                                             "options": {}})
    parent = r.json()["data"]["_id"]
    admin.srv.wait_job_data(parent)
    kids = admin.req("GET", "/operations-manager/jobs?equals[parent.job]=" + parent).json()["data"]
    m.cell("childJob: the child's groups", "admin", [k.get("groups") for k in kids],
           [[gid["g1"]]])
    for user in USERS:
        r = clients[user].req("GET", "/operations-manager/jobs/" + kids[0]["_id"])
        m.cell("childJob: read the admin's child of a g1 workflow", user, r.status,
               200 if sees_target[user] else 404, r)


def check_automations(m, clients, groups_of, gid):
    admin = clients["admin"]
    wf_id = admin.req("GET", "/automation-studio/workflows/detailed/gbac-g1").json()["_id"]
    pub_id = admin.req("GET", "/automation-studio/workflows/detailed/gbac-pub").json()["_id"]
    missing = admin.req("POST", "/operations-manager/automations",
                        {"name": "ij-missing", "componentId": "0" * 24})
    vis = {u: gbac.sees(groups_of, u, [gid["g1"]]) for u in USERS}
    n = 0
    for user in USERS:
        c = clients[user]
        for field, value in (("componentId", wf_id), ("componentName", "gbac-g1")):
            n += 1
            r = c.req("POST", "/operations-manager/automations",
                      {"name": "ij-auto-%d" % n, field: value})
            row = "automation on a g1 workflow by %s" % field
            if vis[user]:
                m.cell(row, user, r.status, 200, r)
            else:
                m.check(row, user, gbac.same_as_missing(r, missing, value, "0" * 24), r)
        # update: an automation of one's own, pointed at the hidden workflow afterwards
        n += 1
        r = c.req("POST", "/operations-manager/automations",
                  {"name": "ij-auto-%d" % n, "componentId": pub_id})
        m.cell("automation on a public workflow", user, r.status, 200, r)
        aid = r.json()["data"]["_id"]
        r = c.req("PATCH", "/operations-manager/automations/" + aid,
                  {"componentId": wf_id, "componentName": "gbac-g1"})
        m.cell("PATCH automation onto a g1 workflow", user, r.status,
               200 if vis[user] else 400, r)
        n += 1
        r = c.req("PUT", "/operations-manager/automations",
                  {"automations": [{"name": "ij-auto-%d" % n, "componentId": wf_id,
                                    "triggers": []}]})
        ok = r.status == 200 and r.json()["data"][0]["success"]
        m.cell("import automation onto a g1 workflow", user, ok, vis[user], r)
    # A manual trigger of an admin's ungrouped automation on the g1 workflow: every user sees the
    # trigger, only g1 may run it, and the job it starts keeps the workflow's groups.
    r = admin.req("POST", "/operations-manager/automations",
                  {"name": "ij-admin-auto", "componentId": wf_id})
    aid = r.json()["data"]["_id"]
    r = admin.req("POST", "/operations-manager/triggers",
                  {"name": "ij-manual", "type": "manual", "actionType": "automations",
                   "actionId": aid, "enabled": True, "legacyWrapper": False})
    tid = r.json()["data"]["_id"]
    r = admin.req("POST", "/operations-manager/triggers",
                  {"name": "ij-endpoint", "type": "endpoint", "actionType": "automations",
                   "actionId": aid, "enabled": True, "routeName": "ij-ep", "verb": "POST"})
    m.cell("endpoint trigger created", "admin", r.status, 200, r)
    for user in USERS:
        r = clients[user].req("POST", "/operations-manager/triggers/manual/%s/run" % tid, {})
        m.cell("run manual trigger on a g1 workflow", user, r.status,
               200 if vis[user] else 409, r)
        if r.status == 200:
            m.cell("manual trigger job groups", user, r.json()["data"].get("groups"),
                   [gid["g1"]], r)
        r = clients[user].req("POST", "/operations-manager/triggers/endpoint/ij-ep", {})
        m.cell("run endpoint trigger on a g1 workflow", user, r.status,
               200 if vis[user] else 409, r)


def count_jobs(admin, workflow):
    r = admin.req("GET", "/operations-manager/jobs?limit=1000&equals[name]=" + workflow)
    return r.json()["data"]


def check_event_triggers(m, clients, gid):
    """nobody's event triggers (automation groups: none) fire for public jobs only; u1's
    (automation groups [g1]) for g1 and public jobs, not for g2 jobs."""
    admin = clients["admin"]
    admin.req("POST", "/automation-studio/automations/import",
              {"automations": [cj.workflow("ij-evt-src-pub", {}, []),
                               cj.workflow("ij-evt-src-g1", {}, [], groups=[gid["g1"]]),
                               cj.workflow("ij-evt-src-g2", {}, [], groups=[gid["g2"]])]})
    cases = {"nobody": {"gbac": {"read": [], "write": []}},
             "u1": {"gbac": {"read": [], "write": [gid["g1"]]}}}
    for user, extra in cases.items():
        c = clients[user]
        for topic in ("jobStart", "jobComplete"):
            target = "ij-evt-%s-%s" % (user, topic)
            r = c.req("POST", "/automation-studio/automations/import",
                      {"automations": [cj.workflow(target, {}, [])]})
            assert r.status == 200, r
            body = dict({"name": "ij-evt-auto-%s-%s" % (user, topic), "componentName": target},
                        **extra)
            r = c.req("POST", "/operations-manager/automations", body)
            m.cell("event automation", user, r.status, 200, r)
            aid = r.json()["data"]["_id"]
            r = c.req("POST", "/operations-manager/triggers",
                      {"name": "ij-evt-%s-%s" % (user, topic), "type": "eventSystem",
                       "actionType": "automations", "actionId": aid, "enabled": True,
                       "source": "@itential/app-workflow_engine", "topic": topic})
            m.cell("event trigger on " + topic, user, r.status, 200, r)
    expect = {"nobody": ["ij-evt-src-pub"], "u1": ["ij-evt-src-g1", "ij-evt-src-pub"]}
    started = {}
    # The hidden sources run first: events are handled in order, so once the public job's
    # trigger has fired, the earlier ones were handled (and must not have fired).
    for src in ("ij-evt-src-g2", "ij-evt-src-g1", "ij-evt-src-pub"):
        started[admin.srv.start_job_id(src)] = src
    for user in cases:
        for topic in ("jobStart", "jobComplete"):
            target = "ij-evt-%s-%s" % (user, topic)
            deadline = time.monotonic() + 20
            while len(count_jobs(admin, target)) < len(expect[user]) and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)  # any wrong extra firing would be queued right behind
            # (jobs that other tests' triggers started fire these triggers too: not counted)
            fired = sorted(started[i] for i in
                           (j["variables"].get("job", {}).get("_id") for j in count_jobs(admin, target))
                           if i in started)
            m.cell("event trigger %s fires for" % topic, user, fired, expect[user])


def check_workflow_ids(m, clients, gid):
    admin = clients["admin"]
    ids = {d["name"]: d["_id"] for d in
           admin.req("GET", "/automation-studio/workflows?limit=1000").json()["items"]}
    for user in ("nobody", "u1", "admin"):
        c = clients[user]
        for victim in ("gbac-g2", "gbac-pub"):
            doc = gbac.workflow("ij-takeover-%s-%s" % (user, victim), [])
            doc["_id"] = ids[victim]
            r = c.req("POST", "/workflow_builder/import", {"workflow": doc})
            m.cell("legacy import with the _id of " + victim, user, r.status, 409, r)
            r = c.req("POST", "/automation-studio/automations/import", {"automations": [doc]})
            m.check("import with the _id of " + victim, user,
                    r.status == 400 and not r.json()["data"][0]["success"], r)
            r = c.req("POST", "/automation-studio/automations", {"automation": doc})
            m.cell("create with the _id of " + victim, user, r.status, 409, r)
        # PUT cannot change an _id either: the path's id wins.
        own = gbac.workflow("ij-own-" + user, [])
        r = c.req("POST", "/automation-studio/automations/import", {"automations": [own]})
        own_id = r.json()["data"][0]["data"]["_id"]
        r = c.req("PUT", "/automation-studio/automations/" + own_id,
                  {"update": {"_id": ids["gbac-pub"], "description": "x"}})
        m.check("PUT keeps its own _id", user,
                r.status == 200 and r.json().get("_id") == own_id, r)
    for victim in ("gbac-g2", "gbac-pub"):
        r = admin.req("GET", "/automation-studio/workflows?equals[_id]=" + ids[victim])
        m.cell("equals[_id] of " + victim, "admin", r.json()["total"], 1, r)
        r = admin.req("POST", "/workflow_engine/workflows/validate", {"asset": victim})
        m.cell("validate " + victim, "admin", r.json()["isValid"], True, r)


def main():
    args = ic.arg_parser().parse_args()
    m = gbac.Matrix()
    with ic.Server(os.path.abspath(args.binary)) as srv:
        clients, groups_of, gid, _ = gbac.setup(srv)
        check_child_jobs(m, clients, groups_of, gid)
        check_automations(m, clients, groups_of, gid)
        check_event_triggers(m, clients, gid)
        check_workflow_ids(m, clients, gid)
        return m.conclude("gbac_indirect", srv)


if __name__ == "__main__":
    sys.exit(main())
