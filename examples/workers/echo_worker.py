#!/usr/bin/env python3
"""A tiny external adapter worker for opsflow (SPEC §7), using only the standard library.

It polls POST /adapter-workers/poll for tasks of the adapter apps it serves, "runs" each one
(here: echoes the task's incoming values back) and reports the outcome with
POST /adapter-workers/tasks/<id>/complete (or /fail, /error). Replace `handle` with a real call
to your device or cloud API.

  examples/workers/echo_worker.py --url http://127.0.0.1:3000 --user admin --password ... \
      --apps Echo [--count N] [--lease-ms 30000]
"""
import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request


def call(url, token, path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def login(url, user, password):
    req = urllib.request.Request(url + "/login", method="POST",
                                 data=json.dumps({"user": {"username": user,
                                                           "password": password}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode().strip()


def handle(task):
    """Does the adapter work. Returns (outcome, outgoing, message)."""
    if task["incoming"].get("message") == "fail":
        return "error", {}, "the echo adapter was asked to fail"
    return "complete", {"result": {"echo": task["incoming"], "method": task["method"]}}, ""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=os.environ.get("OPSFLOW_URL", "http://127.0.0.1:3000"))
    p.add_argument("--user", default=os.environ.get("OPSFLOW_USER", "admin"))
    p.add_argument("--password", default=os.environ.get("OPSFLOW_PASSWORD", ""))
    p.add_argument("--apps", default="Echo", help="comma-separated adapter apps or instances")
    p.add_argument("--name", default="echo-worker-%d" % os.getpid())
    p.add_argument("--lease-ms", type=int, default=30000)
    p.add_argument("--count", type=int, default=0, help="stop after this many tasks (0: never)")
    p.add_argument("--poll-interval", type=float, default=0.2)
    args = p.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    token = login(args.url, args.user, args.password)
    apps = [a for a in args.apps.split(",") if a]
    done = 0
    while not stop and (args.count == 0 or done < args.count):
        try:
            reply = call(args.url, token, "/adapter-workers/poll",
                         {"worker": args.name, "apps": apps, "lease_ms": args.lease_ms,
                          "max_tasks": 10})
        except urllib.error.URLError as e:
            print("poll failed: %s" % e, file=sys.stderr)
            time.sleep(1)
            continue
        tasks = reply.get("data") or []
        for task in tasks:
            outcome, outgoing, message = handle(task)
            try:
                call(args.url, token, "/adapter-workers/tasks/%s/%s" % (task["_id"], outcome),
                     {"lease": task["lease"], "outgoing": outgoing, "message": message})
                print("%s %s.%s -> %s" % (task["_id"], task["app"], task["method"], outcome))
            except urllib.error.HTTPError as e:
                print("report refused (%d): %s" % (e.code, e.read().decode()), file=sys.stderr)
            done += 1
        if not tasks:
            time.sleep(args.poll_interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
