#!/usr/bin/env python3
"""Group-based access (SPEC §3, docs/ACCOUNTS.md "Who sees what"): a matrix of users (in no
group, in g1, in g1+g2, admin) against workflows with groups [], [g1], [g2] and a workflow whose
manual task has groups [g2], over every route that reads or changes a workflow, a job or a task.

Hidden items must answer exactly as missing ones do (same status, same message with the id
swapped), be absent from lists, and not be counted in list totals. On failure the suite prints
a compact matrix: one row per check, one column per user, each cell `<got>` or `<got>!<want>`.
"""
import collections
import json
import os
import sys
import time
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

USERS = ["nobody", "u1", "u12", "admin"]
MISSING_JOB = "0123456789abcdef01234567"
MISSING_TASK = str(uuid.uuid4())


def workflow(name, groups, task_groups=()):
    """start -> m001 (a ViewData manual task that waits for a person) -> end."""
    return {
        "name": name, "type": "automation", "canvasVersion": 3, "groups": list(groups),
        "tasks": {
            "workflow_start": {"name": "workflow_start", "groups": []},
            "m001": {"name": "ViewData", "app": "WorkFlowEngine", "location": "Application",
                     "type": "manual", "view": "/workflow_engine/task/ViewData",
                     "groups": list(task_groups),
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


class Matrix:
    """Collects one cell per (check, user); remembers which cells were wrong."""

    def __init__(self):
        self.rows = collections.OrderedDict()
        self.failures = []

    def cell(self, row, user, got, want, detail=""):
        ok = got == want
        fmt = lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else str(v)  # noqa: E731
        self.rows.setdefault(row, {})[user] = fmt(got) if ok else "%s!%s" % (fmt(got), fmt(want))
        if not ok:
            self.failures.append("%s [%s]: got %s, want %s %s" % (row, user, got, want, detail))

    def check(self, row, user, cond, detail=""):
        self.cell(row, user, "ok" if cond else "no", "ok", detail)

    def conclude(self, suite, srv):
        """Prints the matrix and the failing cells (with the server's log tail), or a one-line
        summary; returns the exit status."""
        if self.failures:
            print(self.render())
            print("\n%d failing cell(s):" % len(self.failures))
            for f in self.failures[:40]:
                print("  " + f[:600])
            print("server log tail:\n" + srv.log_tail(2000))
            return 1
        print("%s: %d checks over %d rows x %d users passed"
              % (suite, sum(len(v) for v in self.rows.values()), len(self.rows), len(USERS)))
        return 0

    def render(self):
        width = max(len(r) for r in self.rows) if self.rows else 10
        lines = ["%-*s  %s" % (width, "check", "  ".join("%-9s" % u for u in USERS))]
        for row, cells in self.rows.items():
            lines.append("%-*s  %s" % (width, row,
                                       "  ".join("%-9s" % cells.get(u, "-") for u in USERS)))
        return "\n".join(lines)


class Client:
    def __init__(self, srv, token):
        self.srv = srv
        self.token = token

    def req(self, method, path, body=None):
        return self.srv.request(method, path, body=body, auth=False,
                                headers={"Authorization": "Bearer " + self.token})


def message(r):
    try:
        return r.json().get("message")
    except ValueError:
        return r.text


def same_as_missing(hidden, missing, hidden_id, missing_id):
    """A hidden item's answer equals the missing item's, once the ids are swapped."""
    return (hidden.status == missing.status and
            str(message(hidden)).replace(hidden_id, "<ID>") ==
            str(message(missing)).replace(missing_id, "<ID>"))


def setup(srv):
    admin = Client(srv, srv.token)
    gid = {}
    for g in ("g1", "g2"):
        r = admin.req("POST", "/authorization/groups", {"name": g})
        assert r.status == 200, r
        gid[g] = r.json()["_id"]
    members = {"nobody": [], "u1": ["g1"], "u12": ["g1", "g2"]}
    clients = {"admin": admin}
    groups_of = {"admin": None}
    for user, groups in members.items():
        r = admin.req("POST", "/authorization/accounts",
                      {"username": user, "password": user + "-pass-1", "groups": groups})
        assert r.status == 200, r
        r = srv.request("POST", "/login", body={"username": user, "password": user + "-pass-1"},
                        auth=False)
        assert r.status == 200, r
        clients[user] = Client(srv, r.text.strip())
        groups_of[user] = {gid[g] for g in groups}
    wfs = {"gbac-pub": [], "gbac-g1": [gid["g1"]], "gbac-g2": [gid["g2"]], "gbac-man": []}
    docs = [workflow(n, g, [gid["g2"]] if n == "gbac-man" else []) for n, g in wfs.items()]
    docs.append(workflow("gbac-del-g1", [gid["g1"]]))
    r = admin.req("POST", "/automation-studio/automations/import", {"automations": docs})
    assert r.status == 200 and all(x["success"] for x in r.json()["data"]), r
    wfs["gbac-del-g1"] = [gid["g1"]]
    return clients, groups_of, gid, wfs


def sees(groups_of, user, item_groups):
    return groups_of[user] is None or not item_groups or bool(groups_of[user] & set(item_groups))


def wait_manual(admin, job):
    """The iteration id of the job's waiting m001, once the manual task waits and its iteration
    is readable from the store (the two happen just after start, not always in that order)."""
    deadline = time.monotonic() + 30
    while True:
        r = admin.req("GET", "/operations-manager/jobs/%s/tasks/m001/manual-controller" % job)
        if r.status == 200:
            it = r.json()["data"]["_id"]
            t = admin.req("GET", "/operations-manager/tasks/" + it)
            if t.status == 200 and t.json()["data"].get("status") == "running":
                return it
        if time.monotonic() > deadline:
            raise RuntimeError("m001 of job %s never waited: %r" % (job, r))
        time.sleep(0.05)


def check_starts(m, clients, groups_of, gid, wfs, jobs):
    """jobs/start by every user on every workflow; a hidden workflow answers as an unknown one."""
    missing = clients["admin"].req("POST", "/operations-manager/jobs/start",
                                   {"workflow": "gbac-none", "options": {}})
    for name, groups in wfs.items():
        if name == "gbac-del-g1":
            continue
        for user in USERS:
            r = clients[user].req("POST", "/operations-manager/jobs/start",
                                  {"workflow": name, "options": {}})
            if sees(groups_of, user, groups):
                m.cell("start " + name, user, r.status, 200, r)
                if r.status == 200:
                    doc = r.json()["data"]
                    m.check("start %s: job groups = workflow groups" % name, user,
                            doc.get("groups") == groups, doc.get("groups"))
                    jobs.append({"id": doc["_id"], "wf": name, "groups": groups, "by": user})
            else:
                m.check("start " + name, user, same_as_missing(r, missing, name, "gbac-none"), r)
    # options.groups: only groups the caller is in (admins: any existing group).
    cases = [("u1", [gid["g2"]], 403), ("u1", [gid["g1"]], 200), ("nobody", [gid["g1"]], 403),
             ("admin", [MISSING_JOB], 400), ("u12", [gid["g1"], gid["g2"]], 200)]
    for user, groups, want in cases:
        r = clients[user].req("POST", "/operations-manager/jobs/start",
                              {"workflow": "gbac-pub", "options": {"groups": groups}})
        m.cell("start options.groups=%d" % len(groups), user, r.status, want, r)
        if want != 200:
            m.check("start refusal names the group", user, groups[0] in str(message(r)), r)
        elif r.status == 200:
            doc = r.json()["data"]
            m.check("start options.groups kept", user, doc.get("groups") == groups, doc)
            jobs.append({"id": doc["_id"], "wf": "gbac-pub", "groups": groups, "by": user})


def check_job_reads(m, clients, groups_of, jobs, iterations):
    admin = clients["admin"]
    missing_get = admin.req("GET", "/operations-manager/jobs/" + MISSING_JOB)
    missing_task = admin.req("GET", "/operations-manager/tasks/" + MISSING_TASK)
    task_counts = collections.Counter()
    running_counts = collections.Counter()
    r = admin.req("GET", "/operations-manager/tasks?limit=1000")
    for t in r.json()["data"]:
        task_counts[t["job"]["_id"]] += 1
        running_counts[t["job"]["_id"]] += t.get("status") == "running"
    for user in USERS:
        c = clients[user]
        visible = {j["id"] for j in jobs if sees(groups_of, user, j["groups"])}
        for j in jobs:
            row = "GET job " + j["wf"]
            it = iterations[j["id"]]
            r = c.req("GET", "/operations-manager/jobs/" + j["id"])
            rt = c.req("GET", "/operations-manager/tasks/" + it)
            if j["id"] in visible:
                m.cell(row, user, r.status, 200, r)
                m.cell("GET task " + j["wf"], user, rt.status, 200, rt)
            else:
                m.check(row, user, same_as_missing(r, missing_get, j["id"], MISSING_JOB), r)
                m.check("GET task " + j["wf"], user,
                        same_as_missing(rt, missing_task, it, MISSING_TASK), rt)
        # Lists: SQL-paged, and a sort the store cannot do (filtered and paged in memory).
        for q in ("limit=1000", "limit=1000&sort=variables.initiator",
                  "limit=1000&contains[variables.initiator]=" + "n"):
            r = c.req("GET", "/operations-manager/jobs?" + q)
            ids = {d["_id"] for d in r.json()["data"]}
            want = visible if "contains" not in q else {
                j["id"] for j in jobs if j["id"] in visible and "n" in j["by"]}
            m.check("list jobs " + q.split("&")[-1], user,
                    ids == want and r.json()["metadata"]["total"] == len(want),
                    "ids %d want %d total %s" % (len(ids), len(want), r.json()["metadata"]))
        r = c.req("GET", "/operations-manager/jobs?limit=1")
        m.cell("list jobs limit=1 total", user, r.json()["metadata"]["total"], len(visible))
        r = c.req("GET", "/operations-manager/tasks?limit=1000")
        tjobs = {t["job"]["_id"] for t in r.json()["data"]}
        want_total = sum(task_counts[j] for j in visible)
        m.check("list tasks", user,
                tjobs == visible and r.json()["metadata"]["total"] == want_total,
                "jobs %d/%d total %s/%d" % (len(tjobs), len(visible),
                                            r.json()["metadata"]["total"], want_total))
        r = c.req("GET", "/operations-manager/tasks?limit=1&equals[status]=running")
        want_running = sum(running_counts[j] for j in visible)
        m.cell("list tasks running total", user, r.json()["metadata"]["total"], want_running)


def check_job_control(m, clients, groups_of, jobs):
    """pause/resume/cancel (bulk), retry, continue, revert, watch/unwatch on every job."""
    admin = clients["admin"]
    missing = {}
    for verb in ("pause", "resume", "cancel"):
        r = admin.req("POST", "/operations-manager/jobs/" + verb, {"jobIds": [MISSING_JOB]})
        missing[verb] = r.json()["data"][0]["message"]
    singles = [("retry", "POST", "/tasks/m001/retry", None),
               ("continue", "POST", "/continue", {"fromTask": "m001"}),
               ("revert", "POST", "/revert", {"fromTask": "m001", "toTask": "m001"}),
               ("watch", "POST", "/watch", None), ("unwatch", "POST", "/unwatch", None)]
    missing_single = {name: admin.req(meth, "/operations-manager/jobs/" + MISSING_JOB + sfx, body)
                      for name, meth, sfx, body in singles}
    by_wf = {}
    for j in jobs:
        by_wf.setdefault(j["wf"], j)  # one job per workflow
    for user in USERS:
        c = clients[user]
        for j in by_wf.values():
            vis = sees(groups_of, user, j["groups"])
            for verb in ("pause", "resume"):
                r = c.req("POST", "/operations-manager/jobs/" + verb, {"jobIds": [j["id"]]})
                res = r.json()["data"][0]
                if vis:
                    m.check("%s %s" % (verb, j["wf"]), user, res["success"], res)
                else:
                    m.check("%s %s" % (verb, j["wf"]), user, not res["success"] and
                            res["message"].replace(j["id"], "<ID>") ==
                            missing[verb].replace(MISSING_JOB, "<ID>"), res)
            if not vis:
                r = c.req("POST", "/operations-manager/jobs/cancel", {"jobIds": [j["id"]]})
                res = r.json()["data"][0]
                m.check("cancel hidden " + j["wf"], user, not res["success"] and
                        res["message"].replace(j["id"], "<ID>") ==
                        missing["cancel"].replace(MISSING_JOB, "<ID>"), res)
            for name, meth, sfx, body in singles:
                r = c.req(meth, "/operations-manager/jobs/" + j["id"] + sfx, body)
                row = "%s %s" % (name, j["wf"])
                if not vis:
                    m.check(row, user, same_as_missing(r, missing_single[name], j["id"],
                                                       MISSING_JOB), r)
                elif name in ("watch", "unwatch"):
                    m.cell(row, user, r.status, 200, r)
                else:  # the job is running: refused for its state, not hidden
                    m.cell(row, user, r.status, 409, r)


def check_manual(m, clients, groups_of, jobs, iterations):
    admin = clients["admin"]
    missing_ctl = admin.req("GET", "/operations-manager/jobs/%s/tasks/m001/manual-controller"
                            % MISSING_JOB)
    missing_claim = admin.req("POST", "/operations-manager/tasks/%s/claim" % MISSING_TASK)
    by_wf = {}
    for j in jobs:
        by_wf.setdefault(j["wf"], j)
    for user in USERS:
        c = clients[user]
        for j in by_wf.values():
            it = iterations[j["id"]]
            vis = sees(groups_of, user, j["groups"])
            # gbac-man's task has groups [g2]: job visible to all, task only to g2 and admins.
            may = vis and (j["wf"] != "gbac-man" or user in ("u12", "admin"))
            ctl = c.req("GET", "/operations-manager/jobs/%s/tasks/m001/manual-controller" % j["id"])
            claim = c.req("POST", "/operations-manager/tasks/%s/claim" % it)
            release = c.req("POST", "/operations-manager/tasks/%s/release" % it)
            assign = c.req("POST", "/operations-manager/tasks/%s/assign" % it, {"userId": user})
            release2 = c.req("POST", "/operations-manager/tasks/%s/release" % it)
            row = "manual " + j["wf"]
            if not vis:
                m.check(row + " controller", user,
                        same_as_missing(ctl, missing_ctl, j["id"], MISSING_JOB), ctl)
                m.check(row + " claim/release/assign", user,
                        all(same_as_missing(x, missing_claim, it, MISSING_TASK)
                            for x in (claim, release, assign, release2)),
                        [claim, release, assign])
            elif not may:
                m.cell(row + " controller", user, ctl.status, 403, ctl)
                m.cell(row + " claim/release/assign", user,
                       (claim.status, release.status, assign.status), (403, 403, 403))
            else:
                m.cell(row + " controller", user, ctl.status, 200, ctl)
                m.cell(row + " claim/release/assign", user,
                       (claim.status, release.status, assign.status, release2.status),
                       (200, 200, 200, 200))
    # The assignee must be able to act on the task: see its job, be in the task's groups.
    for wf, assignee, want in (("gbac-g1", "nobody", 400), ("gbac-g1", "u1", 200),
                               ("gbac-man", "u1", 400), ("gbac-man", "u12", 200)):
        it = iterations[by_wf[wf]["id"]]
        r = admin.req("POST", "/operations-manager/tasks/%s/assign" % it, {"userId": assignee})
        m.cell("assign %s to %s" % (wf, assignee), "admin", r.status, want, r)
        if want == 400:
            m.check("assign %s to %s names why" % (wf, assignee), "admin",
                    "cannot assign task m001 to '%s'" % assignee in str(message(r)), r)
        admin.req("POST", "/operations-manager/tasks/%s/release" % it)
    # finish: hidden -> as missing; outside the task's groups -> 403; a member -> 200.
    missing_fin = admin.req("POST", "/operations-manager/jobs/%s/tasks/m001/finish" % MISSING_JOB,
                            {"taskData": {"finish_state": "success", "variables": {}}})
    fin = {"taskData": {"finish_state": "success", "variables": {}}}
    g2 = by_wf["gbac-g2"]["id"]
    r = clients["u1"].req("POST", "/operations-manager/jobs/%s/tasks/m001/finish" % g2, fin)
    m.check("finish gbac-g2 (hidden)", "u1", same_as_missing(r, missing_fin, g2, MISSING_JOB), r)
    man = by_wf["gbac-man"]["id"]
    r = clients["u1"].req("POST", "/operations-manager/jobs/%s/tasks/m001/finish" % man, fin)
    m.cell("finish gbac-man", "u1", r.status, 403, r)
    r = clients["u12"].req("POST", "/operations-manager/jobs/%s/tasks/m001/finish" % man, fin)
    m.cell("finish gbac-man", "u12", r.status, 200, r)


def check_job_groups(m, clients, gid):
    """Adding and removing job groups: existing groups only, members only, never the last."""
    admin = clients["admin"]
    r = admin.req("POST", "/operations-manager/jobs/start", {"workflow": "gbac-g1", "options": {}})
    job = r.json()["data"]["_id"]
    path = "/operations-manager/jobs/%s/groups" % job

    def add(user, g):
        return clients[user].req("POST", path, {"groupId": g}).status

    def remove(user, g):
        return clients[user].req("DELETE", path + "/" + g).status

    def visible(user):
        return clients[user].req("GET", "/operations-manager/jobs/" + job).status

    m.cell("add group: unknown group", "admin", add("admin", MISSING_JOB), 400)
    m.cell("add group g2 (not a member)", "u1", add("u1", gid["g2"]), 403)
    # nobody cannot see this g1 job: 404 before the group is looked at (issue 9 item 9).
    m.cell("add group g1 (hidden job)", "nobody", add("nobody", gid["g1"]), 404)
    m.cell("add group g2", "u12", add("u12", gid["g2"]), 200)
    m.cell("remove group g2 (not a member)", "u1", remove("u1", gid["g2"]), 403)
    m.cell("remove group g1", "u12", remove("u12", gid["g1"]), 200)
    m.cell("GET job after g1 removed", "u1", visible("u1"), 404)
    m.cell("remove group g1 (hidden job)", "u1", remove("u1", gid["g1"]), 404)
    m.cell("remove last group g2", "u12", remove("u12", gid["g2"]), 403)
    m.cell("remove last group g2", "admin", remove("admin", gid["g2"]), 200)
    m.cell("GET job with no groups", "nobody", visible("nobody"), 200)
    # Back to [g2]: u1 cannot add g1 to a job it cannot see.
    m.cell("add group g2 again", "admin", add("admin", gid["g2"]), 200)
    m.cell("add group g1 (hidden job)", "u1", add("u1", gid["g1"]), 404)


def check_workflows(m, clients, groups_of, wfs):
    admin = clients["admin"]
    ids = {}
    r = admin.req("GET", "/automation-studio/workflows?limit=1000")
    for d in r.json()["items"]:
        ids[d["name"]] = d["_id"]
    others = {d["name"] for d in r.json()["items"] if not d["name"].startswith("gbac-")}
    missing = {
        "detailed": admin.req("GET", "/automation-studio/workflows/detailed/gbac-none"),
        "export": admin.req("POST", "/workflow_builder/export", {"options": {"name": "gbac-none"}}),
        "export_id": admin.req("POST", "/workflow_builder/export",
                               {"options": {"_id": "gbac-none"}}),
        "validate": admin.req("POST", "/workflow_engine/workflows/validate",
                              {"asset": "gbac-none"}),
        "update": admin.req("PUT", "/automation-studio/automations/gbac-none",
                            {"update": {"description": "x"}}),
        "delete": admin.req("DELETE", "/workflow_builder/workflows/delete/gbac-none"),
    }
    for user in USERS:
        c = clients[user]
        r = c.req("GET", "/automation-studio/workflows?limit=1000")
        names = {d["name"] for d in r.json()["items"] if d["name"].startswith("gbac-")}
        want = {n for n, g in wfs.items() if sees(groups_of, user, g)}
        m.check("list workflows", user,
                names == want and r.json()["total"] == len(want) + len(others),
                "%s total %s" % (sorted(names), r.json()["total"]))
        for name, groups in wfs.items():
            vis = sees(groups_of, user, groups)
            wid = ids[name]
            calls = {
                "detailed": c.req("GET", "/automation-studio/workflows/detailed/" + name),
                "export": c.req("POST", "/workflow_builder/export", {"options": {"name": name}}),
                "export_id": c.req("POST", "/workflow_builder/export", {"options": {"_id": wid}}),
                "validate": c.req("POST", "/workflow_engine/workflows/validate", {"asset": name}),
                "update": c.req("PUT", "/automation-studio/automations/" + wid,
                                {"update": {"description": "seen by " + user}}),
            }
            if not vis:
                calls["delete"] = c.req("DELETE", "/workflow_builder/workflows/delete/" + name)
            for what, r in calls.items():
                row = "workflow %s %s" % (what, name)
                if vis:
                    m.cell(row, user, r.status, 200, r)
                else:
                    hid = wid if what in ("export_id", "update") else name
                    m.check(row, user, same_as_missing(r, missing[what], hid, "gbac-none"), r)
        # Importing over a workflow the caller cannot see is refused like a taken name.
        hidden = [n for n, g in wfs.items() if not sees(groups_of, user, g)]
        if hidden:
            r = c.req("POST", "/automation-studio/automations/import",
                      {"automations": [workflow(hidden[0], [])]})
            m.check("import over hidden " + hidden[0], user,
                    r.status == 400 and not r.json()["data"][0]["success"], r)
            r = c.req("POST", "/workflow_builder/import", {"workflow": workflow(hidden[0], [])})
            m.cell("legacy import over hidden", user, r.status, 409, r)
    # The workflows are unchanged by the refused calls: still there, groups kept.
    for name, groups in wfs.items():
        r = admin.req("GET", "/automation-studio/workflows/detailed/" + name)
        m.check("still there: " + name, "admin", r.status == 200 and r.json()["groups"] == groups, r)
    r = clients["u1"].req("DELETE", "/workflow_builder/workflows/delete/gbac-del-g1")
    m.cell("delete gbac-del-g1", "u1", r.status, 200, r)


def check_workflow_groups(m, clients, gid):
    """Changing a workflow's groups (update or re-import) follows a job's rules: a non-admin adds
    only groups they are in, removes only their own, never opens a restricted workflow."""
    admin = clients["admin"]
    g1, g2 = gid["g1"], gid["g2"]
    r = admin.req("POST", "/automation-studio/automations/import",
                  {"automations": [workflow("gbac-regroup", [g1])]})
    m.cell("regroup import", "admin", r.status, 200, r)
    wid = admin.req("GET", "/automation-studio/workflows/detailed/gbac-regroup").json()["_id"]

    def put(user, groups):
        return clients[user].req("PUT", "/automation-studio/automations/" + wid,
                                 {"update": {"groups": groups}})
    m.cell("regroup: open to everyone", "u1", put("u1", []).status, 403, None)
    m.cell("regroup: add a group not mine", "u1", put("u1", [g1, g2]).status, 403, None)
    m.cell("regroup: add my group", "u12", put("u12", [g1, g2]).status, 200, None)
    m.cell("regroup: remove a group not mine", "u1", put("u1", [g1]).status, 403, None)
    m.cell("regroup: remove my group", "u12", put("u12", [g2]).status, 200, None)
    r = clients["u12"].req("POST", "/automation-studio/automations/import",
                           {"automations": [workflow("gbac-regroup", [])]})
    m.check("regroup: re-import open", "u12",
            r.status == 400 and not r.json()["data"][0]["success"], r)
    r = clients["u12"].req("POST", "/workflow_builder/import",
                           {"workflow": workflow("gbac-regroup", [])})
    m.cell("regroup: legacy re-import open", "u12", r.status, 403, r)
    m.cell("regroup: admin opens it", "admin", put("admin", []).status, 200, None)


def query_workflow():
    """start -> getJobs -> getTasks -> end: lists every running job and every m001 iteration."""
    def task(name, qp, out):
        return {"name": name, "app": "WorkFlowEngine", "location": "Application",
                "type": "operation", "groups": [],
                "variables": {"incoming": {"queryParameters": qp},
                              "outgoing": {out: "$var.job." + out}, "error": "",
                              "decorators": []}}
    return {
        "name": "gbac-query", "type": "automation", "canvasVersion": 3, "groups": [],
        "tasks": {
            "workflow_start": {"name": "workflow_start", "groups": []},
            "q001": task("getJobs", {"equals": {"status": "running"}, "limit": 1000}, "jobs"),
            "q002": task("getTasks", {"equals": {"name": "ViewData"}, "limit": 1000}, "tasks"),
            "workflow_end": {"name": "workflow_end", "groups": []},
        },
        "transitions": {
            "workflow_start": {"q001": {"type": "standard", "state": "success"}},
            "q001": {"q002": {"type": "standard", "state": "success"}},
            "q002": {"workflow_end": {"type": "standard", "state": "success"}},
            "workflow_end": {},
        },
    }


def check_task_queries(m, clients, groups_of, jobs):
    """getJobs / getTasks in a job list only what the job's initiator may see."""
    admin = clients["admin"]
    r = admin.req("POST", "/automation-studio/automations/import",
                  {"automations": [query_workflow()]})
    assert r.status == 200 and r.json()["data"][0]["success"], r
    every = {j["id"]: j["groups"] for j in jobs}  # each ran m001 (ViewData)
    running = {i for i in every
               if admin.req("GET", "/operations-manager/jobs/" + i).json()["data"]["status"]
               == "running"}
    for user in USERS:
        r = clients[user].req("POST", "/operations-manager/jobs/start",
                              {"workflow": "gbac-query", "options": {}})
        m.cell("getJobs/getTasks: start", user, r.status, 200, r)
        if r.status != 200:
            continue
        done = admin.srv.wait_job_data(r.json()["data"]["_id"])
        want = {i for i in running if sees(groups_of, user, every[i])}
        found = {d["_id"] for d in done["variables"].get("jobs", [])} & set(every)
        m.check("getJobs lists the visible jobs", user, found == want,
                (sorted(found - want), sorted(want - found)))
        want = {i for i, g in every.items() if sees(groups_of, user, g)}
        found = {d["job"]["_id"] for d in done["variables"].get("tasks", [])} & set(every)
        m.check("getTasks lists the visible tasks", user, found == want,
                (sorted(found - want), sorted(want - found)))


def check_adapters(m, clients, gid):
    """Adapter workers take only the tasks of jobs their account may see (the task's incoming
    values go to them); adapter stubs, which change every job of a workflow, are admin-only to
    set and clear, and listed only for workflows the caller may see."""
    admin = clients["admin"]
    with open(os.path.join(ic.REPO_ROOT, "examples", "Example - Adapter Worker.json")) as f:
        doc = json.load(f)
    doc.update({"name": "gbac-adapter-g1", "groups": [gid["g1"]]})
    r = admin.req("POST", "/automation-studio/automations/import", {"automations": [doc]})
    assert r.status == 200 and r.json()["data"][0]["success"], r
    r = admin.req("POST", "/operations-manager/jobs/start",
                  {"workflow": "gbac-adapter-g1", "options": {"variables": {"message": "m"}}})
    assert r.status == 200, r
    job = r.json()["data"]["_id"]
    poll = {"apps": ["Echo"], "lease_ms": 100, "max_tasks": 10}
    deadline = time.monotonic() + 30
    while True:  # wait until the task is offered (an admin sees it), then let the lease lapse
        r = admin.req("POST", "/adapter-workers/poll", dict(poll, worker="probe"))
        if r.status == 200 and any(t["job"]["_id"] == job for t in r.json()["data"]):
            break
        assert time.monotonic() < deadline, "the adapter task was never offered: %r" % r
        time.sleep(0.05)
    for user, want in (("nobody", 0), ("u12", 1)):
        deadline = time.monotonic() + 10
        while True:  # the probe's 100 ms lease must run out first
            r = clients[user].req("POST", "/adapter-workers/poll", dict(poll, worker="w-" + user))
            got = [t for t in r.json()["data"] if t["job"]["_id"] == job] if r.status == 200 else []
            if got or want == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if want == 0:
            time.sleep(0.2)  # past the probe's lease: the task is free, and still not offered
            r = clients[user].req("POST", "/adapter-workers/poll", dict(poll, worker="w-" + user))
            got = [t for t in r.json()["data"] if t["job"]["_id"] == job]
        m.cell("adapter worker takes a g1 task", user, (r.status, len(got)), (200, want), r)
    stub = {"workflow": "gbac-g1", "stubTasks": [{"taskId": "m001", "outgoing": {}}]}
    for user in USERS:
        r = clients[user].req("POST", "/adapter-stubs", stub)
        m.cell("set adapter stubs", user, r.status, 200 if user == "admin" else 403, r)
    for user in USERS:
        r = clients[user].req("GET", "/adapter-stubs")
        listed = r.status == 200 and any(x.get("workflow") == "gbac-g1" for x in r.json()["data"])
        m.cell("list adapter stubs of gbac-g1", user, listed, user in ("u1", "u12", "admin"), r)
    for user in ("u12", "admin"):
        r = clients[user].req("DELETE", "/adapter-stubs/gbac-g1")
        m.cell("clear adapter stubs", user, r.status, 200 if user == "admin" else 403, r)


# ---- issue 9 items 5 and 9: transformations (JSTs) and job-group routes --------------------

JST_IDS = {"jst-pub": "5f0000000000000000000a01", "jst-g1": "5f0000000000000000000a02",
           "jst-g2": "5f0000000000000000000a03"}
MISSING_JST = "5f0000000000000000000aff"


def jst(name, jst_id, groups=None):
    """A JST copying its incoming `a` to its outgoing `b`."""
    doc = {"_id": jst_id, "name": name,
           "incoming": [{"$id": "a", "type": "string"}],
           "outgoing": [{"$id": "b", "type": "string"}],
           "steps": [{"id": 1, "type": "assign",
                      "from": {"location": "incoming", "name": "a", "ptr": ""},
                      "to": {"location": "outgoing", "name": "b", "ptr": ""}}],
           "functions": []}
    if groups is not None:
        doc["groups"] = list(groups)
    return doc


def jst_workflow(name, tr_id):
    """start -> a transformation task running `tr_id` on $var.job.a into $var.job.b -> end."""
    task = {"name": "transformation", "app": "WorkFlowEngine", "location": "Application",
            "type": "operation", "groups": [],
            "variables": {"incoming": {"tr_id": tr_id, "variableMap": {"a": "$var.job.a"},
                                       "options": {"extractOutput": True}},
                          "outgoing": {"b": "$var.job.b"}, "error": "", "decorators": []}}
    return {"name": name, "type": "automation", "canvasVersion": 3, "groups": [],
            "tasks": {"workflow_start": {"name": "workflow_start", "groups": []},
                      "t001": task, "workflow_end": {"name": "workflow_end", "groups": []}},
            "transitions": {"workflow_start": {"t001": {"type": "standard", "state": "success"}},
                            "t001": {"workflow_end": {"type": "standard", "state": "success"}},
                            "workflow_end": {}}}


def check_transformations(m, clients, groups_of, gid):
    """JSTs follow the workflows' rules: hidden ones are missing to lists, reads, PUT, delete
    and jobs; POST with a hidden _id is a taken id (409); a non-admin's new JST gets the
    creator's groups and may only carry groups the creator is in."""
    admin = clients["admin"]
    jgroups = {"jst-pub": [], "jst-g1": [gid["g1"]], "jst-g2": [gid["g2"]]}
    for name, jid in JST_IDS.items():
        r = admin.req("POST", "/transformations", jst(name, jid, jgroups[name]))
        assert r.status == 200, r
    missing = {"read": admin.req("GET", "/transformations/" + MISSING_JST),
               "put": admin.req("PUT", "/transformations/" + MISSING_JST, jst("x", MISSING_JST)),
               "delete": admin.req("DELETE", "/transformations/" + MISSING_JST)}
    for user in USERS:
        c = clients[user]
        r = c.req("GET", "/transformations")
        listed = {d["_id"] for d in r.json()["results"] if d["_id"] in JST_IDS.values()}
        want = {JST_IDS[n] for n in JST_IDS if sees(groups_of, user, jgroups[n])}
        m.check("JST list", user, r.status == 200 and listed == want, (listed, want))
        m.check("JST list total", user, r.json()["total"] == len(r.json()["results"]), r)
        for name, jid in JST_IDS.items():
            vis = sees(groups_of, user, jgroups[name])
            r = c.req("GET", "/transformations/" + jid)
            m.cell("JST read " + name, user, r.status, 200 if vis else 404, r)
            if not vis:
                m.check("JST read %s = missing" % name, user,
                        same_as_missing(r, missing["read"], jid, MISSING_JST), r)
            # PUT without groups keeps the stored groups.
            r = c.req("PUT", "/transformations/" + jid, jst(name, jid))
            m.cell("JST overwrite PUT " + name, user, r.status, 200 if vis else 404, r)
            if not vis:
                m.check("JST overwrite PUT %s = missing" % name, user,
                        same_as_missing(r, missing["put"], jid, MISSING_JST), r)
            r = c.req("POST", "/transformations", jst(name, jid))
            m.cell("JST overwrite import " + name, user, r.status, 200 if vis else 409, r)
        # Stored groups are unchanged by all of the above.
        for name, jid in JST_IDS.items():
            got = admin.req("GET", "/transformations/" + jid).json().get("groups")
            m.check("JST groups kept " + name, user, got == jgroups[name], got)
        # Delete: a disposable g1 JST per user.
        did = "5f00000000000000000b%04x" % USERS.index(user)
        assert admin.req("POST", "/transformations",
                         jst("del", did, [gid["g1"]])).status == 200
        vis = sees(groups_of, user, [gid["g1"]])
        r = c.req("DELETE", "/transformations/" + did)
        m.cell("JST delete g1", user, r.status, 200 if vis else 404, r)
        if not vis:
            m.check("JST delete g1 = missing", user,
                    same_as_missing(r, missing["delete"], did, MISSING_JST), r)
        r = admin.req("GET", "/transformations/" + did)
        m.cell("JST after delete g1", user, r.status, 404 if vis else 200, r)
        # Create: the creator's groups; only one's own groups; never a hidden id.
        nid = "5f00000000000000000c%04x" % USERS.index(user)
        r = c.req("POST", "/transformations", jst("new", nid))
        want = sorted(groups_of[user]) if groups_of[user] else None
        got = r.json().get("groups") if r.status == 200 else "status %d" % r.status
        m.cell("JST create: creator's groups", user, sorted(got) if isinstance(got, list)
               else got, want, r)
        r = c.req("POST", "/transformations", jst("new-g2", "5f00000000000000000d%04x"
                                                  % USERS.index(user), [gid["g2"]]))
        m.cell("JST create with g2", user, r.status,
               200 if user in ("u12", "admin") else 403, r)
        r = c.req("PUT", "/transformations/" + nid, jst("new", nid, []))
        m.cell("JST remove own last group", user, r.status,
               403 if user in ("u1", "u12") else 200, r)
    check_jst_jobs(m, clients, groups_of, jgroups)


def check_jst_jobs(m, clients, groups_of, jgroups):
    """A transformation task runs only a JST its job's initiator may see (a public workflow
    calling a restricted JST fails for others, as a missing JST)."""
    admin = clients["admin"]
    docs = [jst_workflow("gbac-jst-" + name, jid) for name, jid in JST_IDS.items()]
    r = admin.req("POST", "/automation-studio/automations/import", {"automations": docs})
    assert r.status == 200 and all(x["success"] for x in r.json()["data"]), r
    for user in USERS:
        for name in JST_IDS:
            vis = sees(groups_of, user, jgroups[name])
            r = clients[user].req("POST", "/operations-manager/jobs/start",
                                  {"workflow": "gbac-jst-" + name,
                                   "options": {"variables": {"a": "hello"}}})
            if r.status != 200:
                m.cell("JST run via workflow " + name, user, r.status, 200, r)
                continue
            job = admin.srv.wait_job_data(r.json()["data"]["_id"])
            got = (job.get("status"), job.get("variables", {}).get("b"))
            m.cell("JST run via workflow " + name, user, got,
                   ("complete", "hello") if vis else ("error", None), json.dumps(job)[:400])


def check_job_groups_hidden_first(m, clients, gid):
    """Job-group routes: a job the caller cannot see is 404 before the body or group is read."""
    admin = clients["admin"]
    r = admin.req("POST", "/operations-manager/jobs/start",
                  {"workflow": "gbac-g2", "options": {}})
    job = r.json()["data"]["_id"]
    for user in USERS:
        c = clients[user]
        vis = user in ("u12", "admin")
        for label, jid in (("hidden", job), ("missing", MISSING_JOB)):
            path = "/operations-manager/jobs/%s/groups" % jid
            want = 400 if vis and label == "hidden" else 404
            r = c.req("POST", path, {"nope": 1})
            m.cell("add group, bad body (%s job)" % label, user, r.status, want, r)
            r = c.req("POST", path, {"groupId": MISSING_JOB})
            m.cell("add group, unknown group (%s job)" % label, user, r.status, want, r)
            r = c.req("DELETE", path + "/not-a-group-id")
            m.cell("remove group, bad group id (%s job)" % label, user, r.status, want, r)
            if label == "hidden" and not vis:
                r = c.req("POST", path, {"groupId": gid["g1"]})
                m.cell("add own group g1 (hidden job)", user, r.status, 404, r)
                missing = c.req("POST", "/operations-manager/jobs/%s/groups" % MISSING_JOB,
                                {"groupId": gid["g1"]})
                m.check("add group (hidden job) = missing", user,
                        same_as_missing(r, missing, job, MISSING_JOB), r)
        r = c.req("POST", "/operations-manager/jobs/%s/groups" % "xyz", {"groupId": gid["g1"]})
        m.cell("add group, malformed job id", user, r.status, 400, r)

# ---- end of issue 9 items 5 and 9 ------------------------------------------------------------


def main():
    args = ic.arg_parser().parse_args()
    m = Matrix()
    with ic.Server(os.path.abspath(args.binary)) as srv:
        clients, groups_of, gid, wfs = setup(srv)
        jobs = []
        check_starts(m, clients, groups_of, gid, wfs, jobs)
        iterations = {j["id"]: wait_manual(clients["admin"], j["id"]) for j in jobs}
        check_job_reads(m, clients, groups_of, jobs, iterations)
        check_job_control(m, clients, groups_of, jobs)
        check_manual(m, clients, groups_of, jobs, iterations)
        check_job_groups(m, clients, gid)
        check_workflows(m, clients, groups_of, wfs)
        check_workflow_groups(m, clients, gid)
        check_task_queries(m, clients, groups_of, jobs)  # adds a workflow: after the lists
        check_adapters(m, clients, gid)
        check_transformations(m, clients, groups_of, gid)  # issue 9 item 5
        check_job_groups_hidden_first(m, clients, gid)  # issue 9 item 9
        return m.conclude("gbac", srv)


if __name__ == "__main__":
    sys.exit(main())
