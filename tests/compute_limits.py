#!/usr/bin/env python3
"""Per-user bounds on the routes that compute for the caller and store nothing (README "Limits":
--max-compute-bytes, --max-compute-per-user): POST /transformations/:id, /workflow_engine/query,
runEvaluationGroup(s) and GET /workflow_engine/jobs|tasks/metrics.
  * a body over --max-compute-bytes -> 413 naming it, on every such route;
  * an answer over it (a JST whose output outgrows its input) -> 422 naming it;
  * more runs at once by one non-admin than --max-compute-per-user -> 429 naming it; admins
    are not limited, and a slot is given back when its run ends (errors included)."""
import concurrent.futures
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

MAX = 4096
JST_ID = "5f0000000000000000000c01"
REPEAT_JST = {
    "_id": JST_ID, "name": "repeat",
    "incoming": [{"$id": "s", "type": "string"}, {"$id": "n", "type": "number"}],
    "outgoing": [{"$id": "out", "type": "string"}],
    "steps": [
        {"id": 1, "type": "method", "library": "String", "method": "repeat",
         "args": [None, None]},
        {"id": 2, "type": "assign", "from": {"location": "incoming", "name": "s", "ptr": ""},
         "to": {"location": "method", "name": 1, "ptr": "/args/0/value"}},
        {"id": 3, "type": "assign", "from": {"location": "incoming", "name": "n", "ptr": ""},
         "to": {"location": "method", "name": 1, "ptr": "/args/1/value"}},
        {"id": 4, "type": "assign", "from": {"location": "method", "name": 1, "ptr": "/return"},
         "to": {"location": "outgoing", "name": "out", "ptr": ""}}],
    "functions": []}


def login(srv, admin, user):
    r = admin.request("POST", "/authorization/accounts",
                      body={"username": user, "password": user + "-pass-1"})
    check(r.status == 200, "create %s: %r" % (user, r))
    r = srv.request("POST", "/login", body={"username": user, "password": user + "-pass-1"},
                    auth=False)
    check(r.status == 200, "login %s: %r" % (user, r))
    return r.text.strip()


def as_user(srv, token, method, path, body=None):
    return srv.request(method, path, body=body, auth=False,
                       headers={"Authorization": "Bearer " + token})


def run(srv, token, s, n):
    return as_user(srv, token, "POST", "/transformations/" + JST_ID,
                   {"incoming": {"s": s, "n": n}, "options": {"extractOutput": True}})


def test_sizes(srv, token):
    big = "x" * (MAX + 100)
    routes = [("POST", "/transformations/" + JST_ID, {"incoming": {"s": big, "n": 1}}),
              ("POST", "/workflow_engine/query", {"query": "a", "obj": {"a": big}}),
              ("POST", "/workflow_engine/runEvaluationGroup",
               {"evaluations": [{"operand_1": big, "operator": "==", "operand_2": 1}],
                "all_true_flag": True}),
              ("POST", "/workflow_engine/runEvaluationGroups",
               {"evaluation_group": [], "all_true_flag": True, "pad": big})]
    for method, path, body in routes:
        r = as_user(srv, token, method, path, body)
        check(r.status == 413 and "--max-compute-bytes" in r.text and path.split("/")[1] in r.text,
              "%s with a body over the limit: %r" % (path, r))
    r = as_user(srv, token, "POST", "/workflow_engine/query", {"query": "a", "obj": {"a": 1}})
    check(r.status == 200 and r.text.strip() == "1", "a small query: %r" % r)
    r = run(srv, token, "ab", 10)
    check(r.status == 200 and json.loads(r.text) == "ab" * 10, "a small JST run: %r" % r)
    # The input fits, the output does not.
    r = run(srv, token, "ab", MAX)
    check(r.status == 422 and "--max-compute-bytes" in r.text and str(MAX) in r.text,
          "a JST answer over the limit: %r" % r)
    r = as_user(srv, token, "POST", "/workflow_engine/query",
                {"query": "a", "obj": {"a": "y" * (MAX - 200)}})
    check(r.status == 200, "a query answer under the limit: %r" % r)
    for what in ("jobs", "tasks"):
        r = as_user(srv, token, "GET", "/workflow_engine/%s/metrics" % what)
        check(r.status == 200, "%s/metrics: %r" % (what, r))


def burst(srv, token, n):
    """n JST runs at once by one token (each builds a string near the JST limit, then is too
    large to answer: 422); their statuses."""
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        futs = [pool.submit(run, srv, token, "z" * 1024, 16000) for _ in range(n)]
        return [f.result() for f in futs]


def test_per_user(srv, admin_token, token):
    got = []
    for _ in range(20):  # runs overlap at once on any machine; a few tries make it certain
        got = burst(srv, token, 6)
        check(all(r.status in (422, 429) for r in got), "burst: %r" % got)
        if any(r.status == 429 for r in got):
            break
    limited = [r for r in got if r.status == 429]
    check(limited, "six JST runs at once never met --max-compute-per-user 1: %r" % got)
    check("--max-compute-per-user" in limited[0].text and "'u1'" in limited[0].text,
          "the 429 names the limit and the user: %r" % limited[0])
    # Every slot came back (the runs ended in 422): one more run is answered.
    r = run(srv, token, "ab", 2)
    check(r.status == 200, "a run after the burst: %r" % r)
    got = burst(srv, admin_token, 4)
    check(all(r.status == 422 for r in got), "admins are not limited: %r" % got)


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    with ic.Server(binary, extra_args=["--max-compute-bytes", str(MAX),
                                       "--max-compute-per-user", "1"]) as srv:
        r = srv.request("POST", "/transformations", body=REPEAT_JST)
        check(r.status == 200, "create the JST: %r" % r)
        token = login(srv, srv, "u1")
        test_sizes(srv, token)
        test_per_user(srv, srv.token, token)
    print("compute_limits: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
