#!/usr/bin/env python3
"""fanout10k: one job whose childJob task runs a parallel loop of N trivial children
(examples/bench-fanout10k.json over examples/bench-fanout-child.json). Measures the time from
the start request until the parent job is complete, and the server's peak memory. Prints
`RESULT name=opsflow scenario=fanout10k children=N seconds=S children_per_s=R peak_rss_mb=M`.
stdlib only; the server is started by scripts/bench."""
import argparse
import json
import sys
import time
import urllib.request


def call(url, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


def proc_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", required=True)
    ap.add_argument("--children", type=int, default=10000)
    ap.add_argument("--server-pid", type=int, default=0)
    ap.add_argument("--timeout-s", type=int, default=600)
    a = ap.parse_args()
    token = call(a.url, "POST", "/login",
                 body={"user": {"username": a.user, "password": a.password}}).decode().strip()
    items = [{"host": "h%d" % i} for i in range(a.children)]
    t0 = time.monotonic()
    job = json.loads(call(a.url, "POST", "/operations-manager/jobs/start", token,
                          {"workflow": "bench-fanout10k", "options": {"variables": {"items": items}}}))
    job_id = job["data"]["_id"]
    status = "running"
    deadline = t0 + a.timeout_s
    while status == "running":
        if time.monotonic() > deadline:
            print("fanout: parent job %s still running after %ds" % (job_id, a.timeout_s),
                  file=sys.stderr)
            return 1
        time.sleep(0.02)
        doc = json.loads(call(a.url, "GET", "/operations-manager/jobs/%s?include=status" % job_id,
                              token))
        status = doc["data"]["status"]
    seconds = time.monotonic() - t0
    if status != "complete":
        print("fanout: parent job ended %s" % status, file=sys.stderr)
        return 1
    hwm = proc_kb(a.server_pid, "VmHWM") if a.server_pid else None
    print("RESULT name=opsflow scenario=fanout10k children=%d seconds=%.3f children_per_s=%.1f "
          "peak_rss_mb=%s" % (a.children, seconds, a.children / seconds,
                              "%.1f" % (hwm / 1024.0) if hwm else "na"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
