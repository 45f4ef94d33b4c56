#!/usr/bin/env python3
"""Group-based access on the routes added after tests/gbac.py was written: the same users
(nobody, u1 in g1, u12 in g1+g2, admin) and workflows (tests/gbac.py setup) against

* job delete (DELETE /operations-manager/jobs/:id, POST /jobs/delete), a tree with a hidden child;
* job groups PUT/DELETE, add-watchers, bulk watch/unwatch;
* automations clone, triggers export;
* workflow_engine jobs/metrics and tasks/metrics, query, runEvaluationGroup(s);
* POST /transformations/:id (run), /transformations/import;
* Automation Studio projects and templates;
* admin things: health/system, authorization/methods, forceLogout.

A hidden item answers exactly as a missing one (tests/gbac.py same_as_missing); admin things
answer 403 to everyone else. Prints the matrix on failure.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_jobs as cj  # noqa: E402
import gbac  # noqa: E402
import itest_common as ic  # noqa: E402

USERS = gbac.USERS
MISSING_JOB = gbac.MISSING_JOB
MISSING_ID = "5f0000000000000000000eff"
same_as_missing = gbac.same_as_missing
sees = gbac.sees


def finished_job(admin, name):
    r = admin.req("POST", "/operations-manager/jobs/start", {"workflow": name, "options": {}})
    assert r.status == 200, r
    job = r.json()["data"]["_id"]
    doc = admin.srv.wait_job_data(job)
    assert doc["status"] == "complete", doc
    return job


def check_delete(m, clients, groups_of, gid):
    admin = clients["admin"]
    r = admin.req("POST", "/automation-studio/automations/import", {"automations": [
        cj.workflow("gr-quick-g1", {}, [], groups=[gid["g1"]]),
        cj.workflow("gr-quick-pub", {}, []),
        cj.workflow("gr-parent-pub", {"c": cj.child_job("gr-quick-g2")}, ["c"]),
        cj.workflow("gr-quick-g2", {}, [], groups=[gid["g2"]])]})
    assert r.status == 200 and all(x["success"] for x in r.json()["data"]), r
    missing_one = admin.req("DELETE", "/operations-manager/jobs/" + MISSING_JOB)
    missing_bulk = admin.req("POST", "/operations-manager/jobs/delete",
                             {"jobIds": [MISSING_JOB]}).json()["data"]["results"][0]
    for user in USERS:
        c = clients[user]
        vis = sees(groups_of, user, [gid["g1"]])
        job = finished_job(admin, "gr-quick-g1")
        r = c.req("DELETE", "/operations-manager/jobs/" + job)
        if vis:
            m.cell("DELETE job g1", user, r.status, 200, r)
        else:
            m.check("DELETE job g1 = missing", user,
                    same_as_missing(r, missing_one, job, MISSING_JOB), r)
        m.cell("job g1 after DELETE", user,
               admin.req("GET", "/operations-manager/jobs/" + job).status, 404 if vis else 200)
        job = finished_job(admin, "gr-quick-g1")
        r = c.req("POST", "/operations-manager/jobs/delete", {"jobIds": [job, MISSING_JOB]})
        res = r.json()["data"]["results"] if r.status == 200 else []
        got = [x.get("status") for x in res]
        m.cell("POST jobs/delete g1", user, got, ["deleted" if vis else "ignored", "ignored"], r)
        if not vis and res:
            m.check("POST jobs/delete g1 = missing", user,
                    res[0]["message"].replace(job, "<ID>") ==
                    missing_bulk["message"].replace(MISSING_JOB, "<ID>"), res)
        # A public parent whose child job is g2: only who sees the child may delete the tree.
        parent = finished_job(admin, "gr-parent-pub")
        kids = cj.children(admin.srv, parent)
        assert kids, "gr-parent-pub started no child"
        r = c.req("DELETE", "/operations-manager/jobs/" + parent)
        may = sees(groups_of, user, [gid["g2"]])
        m.cell("DELETE public parent of a g2 child", user, r.status, 200 if may else 403, r)
        after = admin.req("GET", "/operations-manager/jobs/" + kids[0]["_id"]).status
        m.cell("g2 child after its parent's DELETE", user, after, 404 if may else 200)
        if not may:
            m.check("refusal does not name the child", user,
                    kids[0]["_id"] not in str(gbac.message(r)), r)
            r = c.req("POST", "/operations-manager/jobs/delete", {"jobIds": [parent]})
            m.cell("POST jobs/delete public parent of a g2 child", user,
                   r.json()["data"]["results"][0]["status"], "ignored", r)


def check_job_lists(m, clients, groups_of, gid):
    """PUT/DELETE job groups, add-watchers, bulk watch/unwatch."""
    admin = clients["admin"]
    paths = {"put": "PUT", "clear": "DELETE"}
    missing = {k: admin.req(meth, "/operations-manager/jobs/%s/groups" % MISSING_JOB,
                            {"groups": [gid["g1"]]} if k == "put" else None)
               for k, meth in paths.items()}
    missing["watchers"] = admin.req("POST", "/operations-manager/jobs/%s/add-watchers"
                                    % MISSING_JOB, {"userIds": ["admin"]})
    missing_bulk = admin.req("POST", "/operations-manager/jobs/watch",
                             {"jobIds": [MISSING_JOB]}).json()["data"][0]["message"]
    for user in USERS:
        c = clients[user]
        job = finished_job(admin, "gr-quick-g1")
        vis = sees(groups_of, user, [gid["g1"]])
        base = "/operations-manager/jobs/" + job
        # add-watchers: hidden job as missing; a watcher who cannot see the job is refused.
        r = c.req("POST", base + "/add-watchers", {"userIds": ["nobody"]})
        if vis:
            m.cell("add-watchers nobody to g1 job", user, r.status, 400, r)
        else:
            m.check("add-watchers (hidden job) = missing", user,
                    same_as_missing(r, missing["watchers"], job, MISSING_JOB), r)
        r = c.req("POST", base + "/add-watchers", {"userIds": ["u1"]})
        m.cell("add-watchers u1 to g1 job", user, r.status, 200 if vis else 404, r)
        # bulk watch/unwatch: a hidden job is a failed item, as a missing one.
        for verb in ("watch", "unwatch"):
            r = c.req("POST", "/operations-manager/jobs/" + verb, {"jobIds": [job]})
            res = r.json()["data"][0]
            if vis:
                m.check("bulk %s g1 job" % verb, user, res["success"], res)
            else:
                m.check("bulk %s g1 job = missing" % verb, user, not res["success"] and
                        res["message"].replace(job, "<ID>") ==
                        missing_bulk.replace(MISSING_JOB, "<ID>"), res)
        # PUT groups: hidden as missing; only one's own groups; admins anything.
        r = c.req("PUT", base + "/groups", {"groups": [gid["g2"]]})
        want = {"nobody": 404, "u1": 403, "u12": 200, "admin": 200}[user]
        m.cell("PUT groups [g2] on g1 job", user, r.status, want, r)
        if not vis:
            m.check("PUT groups (hidden job) = missing", user,
                    same_as_missing(r, missing["put"], job, MISSING_JOB), r)
        # DELETE groups (all): never for a non-admin (it would open the job to everyone).
        r = c.req("DELETE", base + "/groups")
        now_vis = user != "nobody"
        want = 200 if user == "admin" else (403 if now_vis else 404)
        m.cell("DELETE all groups of a restricted job", user, r.status, want, r)
        if not now_vis:
            m.check("DELETE groups (hidden job) = missing", user,
                    same_as_missing(r, missing["clear"], job, MISSING_JOB), r)
        got = admin.req("GET", base).json()["data"]["groups"]
        m.cell("job groups after PUT/DELETE", user, len(got),
               {"nobody": 1, "u1": 1, "u12": 1, "admin": 0}[user], got)


def check_automations(m, clients, gid):
    """clone and trigger export: an automation a user may not read is missing to them."""
    admin = clients["admin"]
    r = admin.req("POST", "/operations-manager/automations",
                  {"name": "gr-auto-g1", "componentName": "gr-quick-g1",
                   "gbac": {"read": [], "write": [gid["g1"]]}})
    assert r.status == 200, r
    aid = r.json()["data"]["_id"]
    r = admin.req("POST", "/operations-manager/triggers",
                  {"name": "gr-manual", "type": "manual", "actionType": "automations",
                   "actionId": aid, "enabled": True, "description": ""})
    assert r.status == 200, r
    tid = r.json()["data"]["_id"]
    missing_clone = admin.req("POST", "/operations-manager/automations/clone", {"id": MISSING_ID})
    missing_export = admin.req("GET", "/operations-manager/triggers/%s/export" % MISSING_ID)
    for user in USERS:
        c = clients[user]
        vis = user != "nobody"
        r = c.req("POST", "/operations-manager/automations/clone",
                  {"id": aid, "name": "gr-clone-" + user})
        if vis:
            m.cell("clone g1 automation", user, r.status, 200, r)
        else:
            m.check("clone g1 automation = missing", user,
                    same_as_missing(r, missing_clone, aid, MISSING_ID), r)
        r = c.req("GET", "/operations-manager/triggers/%s/export" % tid)
        if vis:
            m.cell("export trigger of g1 automation", user, r.status, 200, r)
        else:
            m.check("export trigger of g1 automation = missing", user,
                    same_as_missing(r, missing_export, tid, MISSING_ID), r)


def check_workflow_engine(m, clients, groups_of, gid):
    admin = clients["admin"]
    admin.srv.start_job_id("gbac-g2")  # its manual task m001 runs: a task metric
    finished_job(admin, "gr-quick-g2")
    # A public workflow with one public job and one job of group g2: its metrics count the g2
    # job only for those who may see it.
    r = admin.req("POST", "/automation-studio/automations/import",
                  {"automations": [cj.workflow("gr-metrics-pub", {}, [])]})
    assert r.status == 200, r
    finished_job(admin, "gr-metrics-pub")
    hidden = admin.srv.start_job_id("gr-metrics-pub", groups=[gid["g2"]])
    assert admin.srv.wait_job_data(hidden)["status"] == "complete"
    for user in USERS:
        c = clients[user]
        for what in ("jobs", "tasks"):
            r = c.req("GET", "/workflow_engine/%s/metrics?limit=1000" % what)
            names = {e["workflow"]["name"] for e in r.json()["results"]} if r.status == 200 \
                else set()
            m.cell("%s/metrics lists the g2 workflow" % what, user,
                   (r.status, "gbac-g2" in names),
                   (200, sees(groups_of, user, [gid["g2"]])), r)
            if what == "jobs" and r.status == 200:
                pub = [e for e in r.json()["results"] if e["workflow"]["name"] == "gr-metrics-pub"]
                m.cell("jobs/metrics of a public workflow count only visible jobs", user,
                       pub[0]["jobsComplete"] if pub else None,
                       2 if sees(groups_of, user, [gid["g2"]]) else 1, r)
        # Pure built-ins: every user may test a task (nothing stored is read).
        r = c.req("POST", "/workflow_engine/query", {"query": "a", "obj": {"a": 1}})
        m.cell("workflow_engine/query", user, (r.status, r.text.strip()), (200, "1"), r)
        ev = {"evaluations": [{"operand_1": 1, "operator": "==", "operand_2": 1}],
              "all_true_flag": True}
        r = c.req("POST", "/workflow_engine/runEvaluationGroup", {"evaluation_group": ev})
        m.cell("runEvaluationGroup", user, r.status, 200, r)
        r = c.req("POST", "/workflow_engine/runEvaluationGroups",
                  {"evaluation_group": [ev], "all_true_flag": True})
        m.cell("runEvaluationGroups", user, r.status, 200, r)
    for path in ("/workflow_engine/query", "/workflow_engine/runEvaluationGroup"):
        r = admin.srv.request("POST", path, body={}, auth=False)
        m.cell("no token: " + path, "admin", r.status, 401, r)


def check_transformations(m, clients, groups_of, gid):
    """Run a JST: hidden = missing. Import (POST /transformations/import): a hidden _id is
    taken (409); a non-admin's import gets the creator's groups."""
    admin = clients["admin"]
    jid = "5f0000000000000000000e01"
    r = admin.req("POST", "/transformations", gbac.jst("gr-jst-g1", jid, [gid["g1"]]))
    assert r.status == 200, r
    missing = admin.req("POST", "/transformations/" + MISSING_ID, {"a": "x"})
    for user in USERS:
        c = clients[user]
        vis = sees(groups_of, user, [gid["g1"]])
        r = c.req("POST", "/transformations/" + jid,
                  {"incoming": {"a": "hi"}, "options": {"extractOutput": True}})
        if vis:
            m.cell("run JST g1", user, (r.status, r.text.strip()), (200, '"hi"'), r)
        else:
            m.check("run JST g1 = missing", user, same_as_missing(r, missing, jid, MISSING_ID),
                    r)
        r = c.req("POST", "/transformations/import", gbac.jst("gr-jst-g1", jid))
        m.cell("import over JST g1", user, r.status, 200 if vis else 409, r)
        nid = "5f0000000000000000000e%02x" % (0x10 + USERS.index(user))
        r = c.req("POST", "/transformations/import", gbac.jst("gr-new", nid))
        got = sorted(r.json().get("groups") or []) if r.status == 200 else r.status
        m.cell("import new JST: creator's groups", user, got,
               sorted(groups_of[user]) if groups_of[user] else [], r)
        r = admin.req("GET", "/transformations/" + jid)
        m.cell("JST g1 groups kept", user, r.json().get("groups"), [gid["g1"]])


def check_studio(m, clients, gid):
    """Projects: seen by their creator, members and admins; templates: as transformations."""
    admin = clients["admin"]
    r = clients["u1"].req("POST", "/automation-studio/projects", {"name": "gr-proj-u1"})
    assert r.status == 200, r
    pid = r.json()["data"]["_id"]
    missing = admin.req("GET", "/automation-studio/projects/" + MISSING_ID)
    r = admin.req("POST", "/automation-studio/templates",
                  {"template": {"name": "gr-tpl-g1", "group": "g", "command": "c",
                                "description": "", "type": "jinja2", "template": "x",
                                "data": "", "groups": [gid["g1"]]}})
    assert r.status == 200, r
    tpl = r.json()["created"]["_id"]
    missing_tpl = admin.req("GET", "/automation-studio/templates/" + MISSING_ID)
    for user in USERS:
        c = clients[user]
        may = user in ("u1", "admin")
        r = c.req("GET", "/automation-studio/projects/" + pid)
        if may:
            m.cell("GET u1's project", user, r.status, 200, r)
        else:
            m.check("GET u1's project = missing", user,
                    same_as_missing(r, missing, pid, MISSING_ID), r)
        r = c.req("GET", "/automation-studio/projects?limit=100")
        listed = r.status == 200 and any(p["_id"] == pid for p in r.json()["items"])
        m.cell("list has u1's project", user, listed, may, r)
        r = c.req("PATCH", "/automation-studio/projects/" + pid, {"description": user})
        m.cell("PATCH u1's project", user, r.status, 200 if may else 404, r)
        r = c.req("GET", "/automation-studio/projects/%s/export" % pid)
        m.cell("export u1's project", user, r.status, 200 if may else 404, r)
        vis = user != "nobody"
        r = c.req("GET", "/automation-studio/templates/" + tpl)
        if vis:
            m.cell("GET template g1", user, r.status, 200, r)
        else:
            m.check("GET template g1 = missing", user,
                    same_as_missing(r, missing_tpl, tpl, MISSING_ID), r)
        r = c.req("GET", "/automation-studio/templates?limit=100")
        listed = r.status == 200 and any(t["_id"] == tpl for t in r.json()["items"])
        m.cell("list has template g1", user, listed, vis, r)
        r = c.req("GET", "/automation-studio/templates/%s/export" % tpl)
        m.cell("export template g1", user, r.status, 200 if vis else 404, r)
    r = clients["nobody"].req("DELETE", "/automation-studio/projects/" + pid)
    m.cell("DELETE u1's project", "nobody", r.status, 404, r)
    r = clients["nobody"].req("DELETE", "/automation-studio/templates/" + tpl)
    m.cell("DELETE template g1", "nobody", r.status, 404, r)


def check_admin_things(m, clients, srv):
    admin = clients["admin"]
    ids = {a["username"]: a["_id"] for a in
           admin.req("GET", "/authorization/accounts?limit=100").json()["results"]}
    for user in USERS:
        c = clients[user]
        want = 200 if user == "admin" else 403
        r = c.req("GET", "/health/system")
        m.cell("GET /health/system", user, r.status, want, r)
        r = c.req("GET", "/authorization/methods")
        m.cell("GET /authorization/methods", user, r.status, want, r)
        if user != "admin":
            r = c.req("POST", "/authorization/accounts/%s/forceLogout" % ids["admin"])
            m.cell("forceLogout admin", user, r.status, 403, r)
        r = c.req("GET", "/health/applications")
        m.cell("GET /health/applications", user, r.status, 200, r)
    r = admin.req("GET", "/whoami")
    m.cell("admin still logged in", "admin", r.status, 200, r)
    r = admin.req("POST", "/authorization/accounts/%s/forceLogout" % ids["nobody"])
    m.cell("forceLogout nobody", "admin", r.status, 200, r)
    r = clients["nobody"].req("GET", "/whoami")
    m.cell("nobody after forceLogout", "nobody", r.status, 401, r)


def main():
    args = ic.arg_parser().parse_args()
    m = gbac.Matrix()
    with ic.Server(os.path.abspath(args.binary)) as srv:
        clients, groups_of, gid, _ = gbac.setup(srv)
        check_delete(m, clients, groups_of, gid)
        check_job_lists(m, clients, groups_of, gid)
        check_automations(m, clients, gid)
        check_workflow_engine(m, clients, groups_of, gid)
        check_transformations(m, clients, groups_of, gid)
        check_studio(m, clients, gid)
        check_admin_things(m, clients, srv)  # logs nobody out: last
        return m.conclude("gbac_routes", srv)


if __name__ == "__main__":
    sys.exit(main())
