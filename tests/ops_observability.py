#!/usr/bin/env python3
"""GET /metrics (Prometheus text, parsed strictly; counters move when jobs run; bounded labels;
the open --metrics-listen listener) and GET /openapi.json (every route of the dispatch table, the
rows of src/api/*_routes.cc, is in it, and the document's shape is valid OpenAPI 3.1). Also: list
totals read from the counts tables agree with counted ones."""
import http.client
import json
import math
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

SEQ10 = os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json")
API_DIR = os.path.join(ic.REPO_ROOT, "src", "api")
NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
HEX_ID = re.compile(r"[0-9a-f]{24}")


# ---- Prometheus text format ----------------------------------------------------------------
def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        check(m is not None, "bad label syntax at %r" % text[pos:])
        check(m.group(1) not in labels, "label %s twice in {%s}" % (m.group(1), text))
        labels[m.group(1)] = m.group(2)
        pos = m.end()
        if m.group(3) == "" and pos < len(text):
            raise AssertionError("labels continue after the last one: %r" % text)
    return labels


def parse_metrics(text):
    """{family: {"type", "help", "samples": [(name, labels, value)]}}; strict."""
    check(text.endswith("\n"), "the exposition must end with a newline")
    families, current, seen = {}, None, set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        check(line != "", "line %d is empty" % n)
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            check(NAME_RE.match(name) and help_text, "line %d: bad HELP %r" % (n, line))
            check(name not in families, "line %d: family %s declared twice" % (n, name))
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
            continue
        if line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            check(name == current and families[name]["type"] is None,
                  "line %d: TYPE %s without its HELP just before" % (n, name))
            check(typ in ("counter", "gauge", "histogram"), "line %d: type %r" % (n, typ))
            families[name]["type"] = typ
            continue
        check(not line.startswith("#"), "line %d: unknown comment %r" % (n, line))
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        check(m is not None, "line %d: bad sample %r" % (n, line))
        name, labels = m.group(1), parse_labels(m.group(3) or "")
        value = float(m.group(4))  # raises on a bad number
        check(not math.isnan(value), "line %d: NaN" % n)
        fam = families.get(current)
        check(fam is not None, "line %d: sample before any family" % n)
        allowed = {current} if fam["type"] != "histogram" else {
            current + "_bucket", current + "_sum", current + "_count"}
        check(name in allowed, "line %d: %s is not part of family %s" % (n, name, current))
        key = (name, tuple(sorted(labels.items())))
        check(key not in seen, "line %d: duplicate series %r" % (n, key))
        seen.add(key)
        fam["samples"].append((name, labels, value))
    for name, fam in families.items():
        check(name.startswith("opsflow_"), "family %s does not start with opsflow_" % name)
        check(fam["type"] is not None, "family %s has no TYPE" % name)
        if fam["type"] == "counter":
            check(name.endswith("_total"), "counter %s must end in _total" % name)
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
    return families


def check_histogram(name, samples):
    series = {}
    for sname, labels, value in samples:
        rest = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if sname.endswith("_bucket"):
            le = labels["le"]
            s["buckets"].append((math.inf if le == "+Inf" else float(le), value))
        elif sname.endswith("_sum"):
            s["sum"] = value
        else:
            s["count"] = value
    for rest, s in series.items():
        bounds = [b for b, _ in s["buckets"]]
        check(bounds == sorted(bounds) and bounds and bounds[-1] == math.inf,
              "%s%r: buckets out of order or no +Inf" % (name, rest))
        counts = [c for _, c in s["buckets"]]
        check(counts == sorted(counts), "%s%r: buckets not cumulative" % (name, rest))
        check(s["count"] == counts[-1] and s["sum"] is not None,
              "%s%r: _count must equal the +Inf bucket" % (name, rest))


def value(families, family, sample=None, **labels):
    total = 0.0
    for name, ls, v in families.get(family, {"samples": []})["samples"]:
        if (sample or family) == name and all(ls.get(k) == w for k, w in labels.items()):
            total += v
    return total


def scrape(srv, auth=True):
    r = srv.request("GET", "/metrics", auth=auth)
    check(r.status == 200, "GET /metrics: %r" % r)
    check(r.header("Content-Type").startswith("text/plain; version=0.0.4"),
          "content type %r" % r.header("Content-Type"))
    return parse_metrics(r.text)


def run_jobs(srv, n):
    ids = [srv.start_job_id("bench-seq10", {"host": "h", "items": [1, 2]}) for _ in range(n)]
    deadline = time.monotonic() + 30
    for job in ids:
        while True:
            r = srv.request("GET", "/operations-manager/jobs/%s?include=status" % job)
            if r.json()["data"]["status"] == "complete":
                break
            check(time.monotonic() < deadline, "job %s did not complete" % job)
            time.sleep(0.02)
    return ids


def test_metrics(srv, metrics_port):
    check(srv.request("GET", "/metrics", auth=False).status == 401, "GET /metrics needs a token")
    before = scrape(srv)
    for fam in ("opsflow_jobs_started_total", "opsflow_jobs_finished_total",
                "opsflow_task_runs_total", "opsflow_task_duration_seconds",
                "opsflow_adapter_tasks_leased_total", "opsflow_adapter_tasks_expired_total",
                "opsflow_trigger_runs_total", "opsflow_store_commit_seconds",
                "opsflow_store_commit_rows", "opsflow_http_requests_total",
                "opsflow_http_request_duration_seconds", "opsflow_event_streams_open",
                "opsflow_jobs_running", "opsflow_manual_tasks_waiting",
                "opsflow_adapter_tasks_waiting", "opsflow_process_resident_memory_bytes",
                "opsflow_process_threads"):
        check(fam in before, "family %s missing" % fam)
    run_jobs(srv, 3)
    srv.request("GET", "/operations-manager/jobs/%s" % ("0" * 24))  # a 404 with an id in its path
    after = scrape(srv)
    started = (value(after, "opsflow_jobs_started_total", workflow="bench-seq10")
               - value(before, "opsflow_jobs_started_total", workflow="bench-seq10"))
    check(started == 3, "jobs started moved by %s, not 3" % started)
    done = (value(after, "opsflow_jobs_finished_total", workflow="bench-seq10", status="complete")
            - value(before, "opsflow_jobs_finished_total", workflow="bench-seq10",
                    status="complete"))
    check(done == 3, "jobs finished{complete} moved by %s, not 3" % done)
    runs = value(after, "opsflow_task_runs_total") - value(before, "opsflow_task_runs_total")
    check(runs >= 30, "task runs moved by %s (3 jobs of 10 tasks)" % runs)
    check(value(after, "opsflow_task_duration_seconds", "opsflow_task_duration_seconds_count")
          >= runs, "task duration histogram did not count the runs")
    starts = value(after, "opsflow_http_requests_total", route="/operations-manager/jobs/start",
                   method="POST", code="200")
    check(starts >= 3, "http requests of jobs/start: %s" % starts)
    check(value(after, "opsflow_http_requests_total", route="/operations-manager/jobs/:id",
                code="404") >= 1, "the 404 counts under its route template")
    commits = value(after, "opsflow_store_commit_seconds", "opsflow_store_commit_seconds_count")
    check(commits > value(before, "opsflow_store_commit_seconds",
                          "opsflow_store_commit_seconds_count"), "store commits did not move")
    check(value(after, "opsflow_process_resident_memory_bytes") > 1e6, "rss")
    check(value(after, "opsflow_process_threads") >= 2, "threads")
    routes = {r for _, r in route_table()}
    for _, labels, _ in after["opsflow_http_requests_total"]["samples"]:
        check(labels["route"] in routes or labels["route"] in ("(unmatched)", "(draining)"),
              "route label %r is not a route template" % labels["route"])
        check(not HEX_ID.search(labels["route"]), "an id in a label: %r" % labels)
    # The open listener: no token, only /metrics.
    conn = http.client.HTTPConnection("127.0.0.1", metrics_port, timeout=10)
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    body = r.read().decode()
    check(r.status == 200, "metrics listener: %d" % r.status)
    parse_metrics(body)
    conn.request("GET", "/operations-manager/jobs")
    r = conn.getresponse()
    r.read()
    check(r.status == 404, "the metrics listener must serve nothing else, got %d" % r.status)
    conn.close()


def test_totals(srv):
    # equals[status] is answered from the counts table; in[status] counts rows: they agree.
    for q in ("equals[status]=complete", "equals[name]=bench-seq10",
              "equals[status]=complete&equals[name]=bench-seq10"):
        fast = srv.request("GET", "/operations-manager/jobs?limit=1&" + q).json()["metadata"]
        slow_q = q.replace("equals[status]=complete", "in[status]=complete").replace(
            "equals[name]=bench-seq10", "in[name]=bench-seq10")
        slow = srv.request("GET", "/operations-manager/jobs?limit=1&" + slow_q).json()["metadata"]
        check(fast["total"] == slow["total"] == 3, "totals %s: %r vs %r" % (q, fast, slow))
    t = srv.request("GET", "/operations-manager/tasks?limit=1").json()["metadata"]["total"]
    t2 = srv.request("GET", "/operations-manager/tasks?limit=1&in[status]=complete&"
                     "in[status]=error&in[status]=running&in[status]=canceled").json()
    check(t == t2["metadata"]["total"] and t >= 30, "task totals %r vs %r" % (t, t2))
    p = srv.request("GET", "/operations-manager/jobs?limit=5&starts-with[name]=bench-s")
    check(p.json()["metadata"]["total"] == 3, "starts-with as a range: %r" % p)
    p = srv.request("GET", "/operations-manager/jobs?limit=5&starts-with[name]=bench-t")
    check(p.json()["metadata"]["total"] == 0, "starts-with past the names: %r" % p)


# ---- OpenAPI -----------------------------------------------------------------------------
def route_table():
    """(method, pattern) of every row of the kRoutes arrays of src/api/*_routes.cc."""
    rows = []
    for name in sorted(os.listdir(API_DIR)):
        if not name.endswith("_routes.cc"):
            continue
        with open(os.path.join(API_DIR, name)) as f:
            src = f.read()
        for body in re.findall(r"kRoutes\[\] = \{(.*?)\n\s*\};", src, re.S):
            rows += re.findall(r'\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"', body)
    check(len(rows) > 50, "could not read the route table (%d rows)" % len(rows))
    return rows


def resolve(doc, ref):
    check(ref.startswith("#/"), "external $ref %r" % ref)
    node = doc
    for part in ref[2:].split("/"):
        check(isinstance(node, dict) and part in node, "$ref %r does not resolve" % ref)
        node = node[part]
    return node


def walk_refs(doc, node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                resolve(doc, v)
            else:
                walk_refs(doc, v)
    elif isinstance(node, list):
        for v in node:
            walk_refs(doc, v)


def test_openapi(srv):
    r = srv.request("GET", "/openapi.json", auth=False)
    check(r.status == 200, "GET /openapi.json: %r" % r)
    doc = r.json()
    check(doc.get("openapi") == "3.1.0", "openapi version %r" % doc.get("openapi"))
    check(isinstance(doc["info"]["title"], str) and isinstance(doc["info"]["version"], str), "info")
    paths = doc["paths"]
    ops, ids = set(), set()
    for path, item in paths.items():
        check(path.startswith("/"), "path %r" % path)
        names = re.findall(r"\{([^}]+)\}", path)
        for method, op in item.items():
            check(method in ("get", "post", "put", "patch", "delete"), "method %r" % method)
            ops.add((method.upper(), path))
            check(op["operationId"] not in ids, "operationId %s twice" % op["operationId"])
            ids.add(op["operationId"])
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            check(params == names, "%s %s: path parameters %r vs %r" % (method, path, params,
                                                                       names))
            for p in op.get("parameters", []):
                check(p["required"] is True and "schema" in p, "parameter %r" % p)
            check("default" in op["responses"] and op["responses"], "%s %s responses" %
                  (method, path))
            for code in op["responses"]:
                check(code == "default" or re.match(r"^[1-5][0-9][0-9]$", code), "code %r" % code)
            check(isinstance(op.get("security"), list), "%s %s security" % (method, path))
            for req in op["security"]:
                for scheme in req:
                    check(scheme in doc["components"]["securitySchemes"], "scheme %s" % scheme)
    walk_refs(doc, doc)
    table = {(m, re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", r"{\1}", p)) for m, p in route_table()}
    missing = table - ops
    extra = ops - table
    check(not missing, "routes missing from /openapi.json: %s" % sorted(missing))
    check(not extra, "operations not in the route table: %s" % sorted(extra))
    start = paths["/operations-manager/jobs/start"]["post"]
    schema = resolve(doc, start["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    check(schema["required"] == ["workflow", "options"], "start body schema %r" % schema)
    check(start["requestBody"]["required"] is True, "the start body is required")
    check("security" in start and start["security"], "jobs/start needs a token")
    check(paths["/login"]["post"]["security"] == [{}], "login is open")
    env = doc["components"]["schemas"]["ErrorEnvelope"]
    check(set(env["required"]) == {"message", "data", "metadata"}, "error envelope %r" % env)
    # A real error answer has the documented envelope.
    e = srv.request("GET", "/no/such/route").json()
    check(set(e) == {"message", "data", "metadata"} and isinstance(e["message"], str), repr(e))
    # Served the same way each time (built once).
    check(srv.request("GET", "/openapi.json", auth=False).json() == doc, "document changed")


def main():
    args = ic.arg_parser().parse_args()
    failures = []
    metrics_port = ic.free_port()
    with ic.Server(args.binary,
                   extra_args=["--metrics-listen", "127.0.0.1:%d" % metrics_port]) as srv:
        srv.import_file(SEQ10)
        for name, fn in (("metrics", lambda: test_metrics(srv, metrics_port)),
                         ("totals", lambda: test_totals(srv)),
                         ("openapi", lambda: test_openapi(srv))):
            try:
                fn()
                print("ok   %s" % name)
            except AssertionError as e:
                failures.append("%s: %s" % (name, e))
        if failures:
            print(srv.log_tail(2000))
    return ic.report("ops_observability", failures)


if __name__ == "__main__":
    sys.exit(main())
