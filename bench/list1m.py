#!/usr/bin/env python3
"""list1m: the job and task list queries people run, timed against a store holding many finished
jobs (written by opsflow_list1m_seed). Two steps, both driven by scripts/bench:

  list1m.py template --url U --password P   starts one bench-seq10 job, waits for it to finish
                                            and prints its id (the seeder clones it)
  list1m.py query --url U --password P --jobs N --data DIR [--reps 20]
      runs each query --reps times (after one warm-up) over one keep-alive connection, timing
      each from sending the request to the last byte of the reply (not parsing it), and prints
      RESULT name=opsflow scenario=list1m jobs=N <query>_p50_ms=.. <query>_p99_ms=.. ... db_mb=..

stdlib only. Each query's answer is checked (200, a `metadata.total`) so a failing query is an
error, not a fast figure."""
import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

DAY_MS = 24 * 3600 * 1000


def login(conn, user, password):
    body = json.dumps({"user": {"username": user, "password": password}})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    text = r.read().decode()
    if r.status != 200:
        raise SystemExit("list1m: login failed: %d %s" % (r.status, text))
    return text.strip()


def fetch(conn, token, method, path, body=None):
    """Sends one request and reads the whole reply; returns its body (bytes). Not a 200: exit."""
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("list1m: %s %s answered %d: %s" % (method, path, r.status, data[:300]))
    return data


def call(conn, token, method, path, body=None):
    return json.loads(fetch(conn, token, method, path, body))


def connect(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def template(a):
    conn = connect(a.url)
    token = login(conn, a.user, a.password)
    job = call(conn, token, "POST", "/operations-manager/jobs/start",
               {"workflow": "bench-seq10",
                "options": {"variables": {"host": "bench-host", "items": [1, 2, 3]}}})
    job_id = job["data"]["_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doc = call(conn, token, "GET", "/operations-manager/jobs/%s?include=status" % job_id)
        if doc["data"]["status"] == "complete":
            print(job_id)
            return 0
        time.sleep(0.05)
    print("list1m: template job %s did not complete" % job_id, file=sys.stderr)
    return 1


def queries(now_ms):
    q = urllib.parse.quote
    and_q = q(json.dumps({"and": [{"equals": {"status": "complete"}},
                                  {"equals": {"name": "bench-seq10-07"}}]}))
    or_q = q(json.dumps({"or": [{"equals": {"status": "error"}},
                                {"equals": {"status": "canceled"}}]}))
    day_from, day_to = now_ms - 3 * DAY_MS, now_ms - 2 * DAY_MS
    jobs = "/operations-manager/jobs?"
    return [
        ("newest", jobs + "limit=25"),
        ("oldest", jobs + "limit=25&order=1"),
        ("total_only", jobs + "limit=0"),
        ("status", jobs + "equals[status]=complete&limit=25"),
        ("status_error", jobs + "equals[status]=error&limit=25"),
        ("status_total", jobs + "equals[status]=complete&limit=0"),
        ("name", jobs + "equals[name]=bench-seq10-07&limit=25"),
        ("name_prefix", jobs + "starts-with[name]=bench-seq10-1&limit=25"),
        ("time_range", jobs + "gte[metrics.start_time]=%d&lt[metrics.start_time]=%d&limit=25"
         % (day_from, day_to)),
        ("skip150k", jobs + "skip=150000&limit=25"),
        ("q_and", jobs + "q=" + and_q + "&limit=25"),
        ("q_or", jobs + "q=" + or_q + "&limit=25"),
        ("tasks", "/operations-manager/tasks?limit=25"),
        ("tasks_status", "/operations-manager/tasks?equals[status]=complete&limit=25"),
    ]


def percentile(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def db_mb(data):
    total = 0
    for f in ("opsflow.db", "opsflow.db-wal"):
        try:
            total += os.path.getsize(os.path.join(data, f))
        except OSError:
            pass
    return total / (1024.0 * 1024.0)


def query(a):
    conn = connect(a.url)
    token = login(conn, a.user, a.password)
    fields = []
    slow = []
    for name, path in queries(int(time.time() * 1000)):
        t0 = time.perf_counter()
        body = fetch(conn, token, "GET", path)  # warm-up, and a check of the answer's shape
        first = (time.perf_counter() - t0) * 1000.0
        doc = json.loads(body)
        if "total" not in doc.get("metadata", {}):
            raise SystemExit("list1m: %s has no metadata.total" % path)
        times = []
        for _ in range(a.reps):
            # Send to full reply, as the load generator times requests: parsing the ~280 KB
            # page in Python (5-10 ms here) is the client's time, not the server's.
            t0 = time.perf_counter()
            fetch(conn, token, "GET", path)
            times.append((time.perf_counter() - t0) * 1000.0)
        p50, p99 = percentile(times, 50), percentile(times, 99)
        print("list1m: %-13s total=%-8d first=%.1f ms p50=%.1f ms p99=%.1f ms  %s"
              % (name, doc["metadata"]["total"], first, p50, p99, path), file=sys.stderr)
        fields.append("%s_p50_ms=%.2f %s_p99_ms=%.2f" % (name, p50, name, p99))
        if p99 > 50:
            slow.append(name)
    print("RESULT name=opsflow scenario=list1m jobs=%d %s db_mb=%.1f"
          % (a.jobs, " ".join(fields), db_mb(a.data)))
    if slow:
        print("list1m: over 50 ms at p99: %s" % ", ".join(slow), file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["template", "query"])
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", required=True)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--data", default="")
    ap.add_argument("--reps", type=int, default=20)
    a = ap.parse_args()
    return template(a) if a.step == "template" else query(a)


if __name__ == "__main__":
    sys.exit(main())
