#!/usr/bin/env python3
"""The job list's cache of finished jobs' documents (api/job_doc_cache.h) and its totals from the
counts table (sqlite/list_counts.h), seen from the API:

* a page of finished jobs answers the same bytes twice (the second from the cache), and each
  listed document equals GET /operations-manager/jobs/:id's;
* a finished job whose groups or watchers change is listed with the change at once, and the
  group scope applies to cached documents (a user outside the new group no longer sees it);
* totals of starts-with[name], of an `or` of status equals and of in[status] equal the rows.
"""
import json
import os
import sys

from itest_common import REPO_ROOT, Server, arg_parser, check, report


def login(srv, user, password):
    r = srv.post_login(user, password)
    check(r.status == 200, "login %s: %r" % (user, r))
    return r.text.strip()


def get(srv, path, token=None):
    hdrs = {"Authorization": "Bearer " + token} if token else None
    r = srv.request("GET", path, headers=hdrs)
    check(r.status == 200, "GET %s: %r" % (path, r))
    return r


def main():
    a = arg_parser().parse_args()
    failures = []
    with Server(a.binary) as srv:
        srv.import_file(os.path.join(REPO_ROOT, "examples", "bench-seq10.json"))
        ids = [srv.start_job_id("bench-seq10", {"host": "h%d" % i, "items": [1, 2]})
               for i in range(3)]
        for i in ids:
            check(srv.wait_job_data(i)["status"] == "complete", "job %s complete" % i)
        page = "/operations-manager/jobs?limit=25"

        def case(name, fn):
            try:
                fn()
            except AssertionError as e:
                failures.append("%s: %s" % (name, e))

        def same_bytes_and_documents():
            first, second = get(srv, page).body, get(srv, page).body
            check(first == second, "a page of finished jobs answers the same bytes twice")
            data = json.loads(second)["data"]
            check(sorted(d["_id"] for d in data) == sorted(ids), "the page lists the 3 jobs")
            for d in data:
                one = get(srv, "/operations-manager/jobs/" + d["_id"]).json()["data"]
                check(d == one, "listed document of %s equals GET jobs/:id" % d["_id"])
                its = [x for t in d["tasks"].values() for x in t["iterations"]]
                check(len(its) >= 10, "iterations listed: %d" % len(its))

        case("cache", same_bytes_and_documents)

        r = srv.request("POST", "/authorization/groups", body={"name": "g1"})
        check(r.status == 200, "group: %r" % r)
        g1 = r.json()["_id"]
        for user, groups in (("u1", ["g1"]), ("nobody", [])):
            r = srv.request("POST", "/authorization/accounts",
                            body={"username": user, "password": user + "-pass-1",
                                  "groups": groups})
            check(r.status == 200, "account %s: %r" % (user, r))
        u1, nobody = login(srv, "u1", "u1-pass-1"), login(srv, "nobody", "nobody-pass-1")

        def changes_show_at_once():
            get(srv, page)
            get(srv, page, nobody)  # both cached now
            r = srv.request("PUT", "/operations-manager/jobs/%s/groups" % ids[0],
                            body={"groups": [g1]})
            check(r.status == 200, "PUT groups: %r" % r)
            docs = {d["_id"]: d for d in get(srv, page).json()["data"]}
            check(docs[ids[0]]["groups"] == [g1], "new groups listed: %r" % docs[ids[0]]["groups"])
            seen = json.loads(get(srv, page, nobody).body)
            check(ids[0] not in [d["_id"] for d in seen["data"]],
                  "a user outside g1 no longer sees the job")
            check(seen["metadata"]["total"] == 2, "nor counts it: %r" % seen["metadata"])
            mine = json.loads(get(srv, page, u1).body)
            check(ids[0] in [d["_id"] for d in mine["data"]], "a user in g1 sees it")
            r = srv.request("POST", "/operations-manager/jobs/%s/watch" % ids[1])
            check(r.status == 200, "watch: %r" % r)
            docs = {d["_id"]: d for d in get(srv, page).json()["data"]}
            check(docs[ids[1]]["watchers"] == get(srv, "/operations-manager/jobs/" + ids[1])
                  .json()["data"]["watchers"] and docs[ids[1]]["watchers"],
                  "new watchers listed: %r" % docs[ids[1]]["watchers"])

        case("changes", changes_show_at_once)

        def totals():
            q = "/operations-manager/jobs?limit=1&"
            want = {"starts-with[name]=bench-se": 3, "starts-with[name]=bench-seq10x": 0,
                    "starts-with[name]=": 3,
                    "q=" + json.dumps({"or": [{"equals": {"status": "complete"}},
                                              {"equals": {"status": "error"}}]}): 3,
                    "q=" + json.dumps({"or": [{"equals": {"status": "error"}}]}): 0,
                    "in[status]=" + json.dumps(["complete", "running"]): 3}
            for params, n in want.items():
                from urllib.parse import quote
                k, _, v = params.partition("=")
                total = get(srv, q + k + "=" + quote(v)).json()["metadata"]["total"]
                check(total == n, "%s: total %r, want %d" % (params, total, n))

        case("totals", totals)
    return report("job_list_cache", failures)


if __name__ == "__main__":
    sys.exit(main())
