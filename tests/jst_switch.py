#!/usr/bin/env python3
"""The JST `context` (switch) step through a workflow (issue 10): the corpus JST "Standard
Output" (../shared/corpus/itential__assets__transformations__Standard_Output.json, used
unchanged) is stored with POST /transformations and run by a `transformation` task, options as
real exports set them. A string reason takes case 1 (passed through, type "string"); an array
takes case 2 ("a, b"); an object takes case 2 (its JSON text); a number matches no case, so
`reason` stays unset (null in the job). A JST whose switch does not fit its case ports ends the
task in error naming the step. A missing corpus folder skips the suite (exit 0).

usage: jst_switch.py --binary build/opsflow [--corpus DIR]"""
import copy
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

JST_FILE = "itential__assets__transformations__Standard_Output.json"


def workflow(name, tr_id):
    task = {"name": "transformation", "canvasName": "transformation", "summary": "Standard Output",
            "location": "Application", "locationType": None, "app": "WorkFlowEngine",
            "type": "operation", "displayName": "WorkFlowEngine", "actor": "Pronghorn",
            "groups": [],
            "variables": {
                "incoming": {"tr_id": tr_id,
                             "variableMap": {"success": "$var.job.success",
                                             "reason": "$var.job.reason"},
                             "options": {"extractOutput": True, "validateIncoming": True,
                                         "revertToDefaultValue": True}},
                "outgoing": {"success": "$var.job.outSuccess", "reason": "$var.job.outReason",
                             "type": "$var.job.outType"},
                "error": "", "decorators": []}}
    return {"name": name, "type": "automation", "canvasVersion": 3, "font_size": 12,
            "groups": [], "tags": [],
            "tasks": {"workflow_start": {"name": "workflow_start", "groups": []},
                      "workflow_end": {"name": "workflow_end", "groups": []},
                      "a1b2": task},
            "transitions": {"workflow_start": {"a1b2": {"type": "standard", "state": "success"}},
                            "a1b2": {"workflow_end": {"type": "standard", "state": "success"}},
                            "workflow_end": {}}}


# (start variables, expected job variables, expected job status)
CASES = [
    ({"success": True, "reason": "device unreachable"},
     {"outSuccess": True, "outReason": "device unreachable", "outType": "string"}, "complete"),
    ({"success": False, "reason": ["a", "b"]},
     {"outSuccess": False, "outReason": "a, b", "outType": "object"}, "complete"),
    ({"success": False, "reason": {"code": 7, "text": "bad \"x\""}},
     {"outSuccess": False, "outReason": json.dumps({"code": 7, "text": "bad \"x\""},
                                                    separators=(",", ":")),
      "outType": "object"}, "complete"),
]


def run(srv, failures, wf, variables, want_vars, want_status):
    label = "%s %s" % (wf, json.dumps(variables))
    job_id = srv.start_job_id(wf, variables)
    job = srv.wait_job_data(job_id)
    if job.get("status") != want_status:
        failures.append("%s: status %r, want %r (job %s)" % (label, job.get("status"), want_status,
                                                           json.dumps(job)[:600]))
        return job
    got = job.get("variables", {})
    for k, v in want_vars.items():
        if k not in got or got[k] != v or type(got[k]) is not type(v):
            failures.append("%s: variable %s is %r, want %r" % (label, k, got.get(k, "<missing>"), v))
    return job


def main():
    ap = ic.arg_parser()
    ap.add_argument("--corpus", default=os.path.join(ic.REPO_ROOT, "..", "shared", "corpus"))
    args = ap.parse_args()
    path = os.path.join(args.corpus, JST_FILE)
    if not os.path.isfile(path):
        print("jst_switch: no %s; skipped" % path)
        return 0
    with open(path) as f:
        jst = json.load(f)
    failures = []
    with ic.Server(args.binary) as srv:
        r = srv.request("POST", "/transformations", body=jst)
        check(r.status == 200, "POST /transformations: %r" % r)
        r = srv.request("GET", "/transformations/%s" % jst["_id"])
        check(r.status == 200 and r.json() == jst, "the JST reads back unchanged: %r" % r)
        # A broken copy: case port case_2 of switch 24 reaches step 33 of case 1.
        broken = copy.deepcopy(jst)
        broken["_id"] = "6793b713f921f091fd10502b"
        broken["name"] = "Standard Output (broken)"
        for s in broken["steps"]:
            if s["id"] == 51:
                s["from"]["ptr"] = "/return/case_2"
        r = srv.request("POST", "/transformations", body=broken)
        check(r.status == 200, "POST /transformations (broken): %r" % r)
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [workflow("Switch Output", jst["_id"]),
                                              workflow("Switch Broken", broken["_id"])]})
        check(r.status == 200, "import: %r" % r)

        for variables, want, status in CASES:
            run(srv, failures, "Switch Output", variables, want, status)
        # No case matches a number: reason stays unset (null), the other outputs are written.
        # validateIncoming refuses a number (reason is string|array|object), so this runs the
        # same workflow with validation off.
        wf = workflow("Switch NoValidate", jst["_id"])
        wf["tasks"]["a1b2"]["variables"]["incoming"]["options"]["validateIncoming"] = False
        r = srv.request("POST", "/automation-studio/automations/import", body={"automations": [wf]})
        check(r.status == 200, "import: %r" % r)
        job = run(srv, failures, "Switch NoValidate", {"success": True, "reason": 5},
                  {"outSuccess": True, "outType": "number"}, "complete")
        if job.get("variables", {}).get("outReason") is not None:
            failures.append("no case: outReason is %r, want null"
                            % job["variables"]["outReason"])

        # The broken JST ends the task in error; the message names the step.
        job_id = srv.start_job_id("Switch Broken", {"success": True, "reason": "x"})
        job = srv.wait_job_data(job_id)
        text = json.dumps(job)
        if "step 51 of Standard Output (broken)" not in text:
            r = srv.request("GET", "/operations-manager/tasks?equals[job._id]=%s&limit=100" % job_id)
            text += r.text
            if "step 51 of Standard Output (broken)" not in text:
                failures.append("broken JST: no message naming step 51: %s" % text[:1500])
    return ic.report("jst_switch", failures)


if __name__ == "__main__":
    sys.exit(main())
