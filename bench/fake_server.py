#!/usr/bin/env python3
"""A stand-in for `opsflow serve` that answers only what opsflow_loadgen asks, to test the load
generator without the real server. Not a model of the engine: a job simply turns `complete`
(or `error`) --job-ms after it was started.

Routes: GET /health/status, POST /login, POST /operations-manager/jobs/start,
GET /operations-manager/jobs (equals[name], equals[status], in[status], sort, order, limit).
With --manual a job instead waits on its manual task m001 until
POST /operations-manager/jobs/:id/tasks/m001/finish, and GET /operations-manager/tasks
(equals[job.task], equals[status], limit) lists the waiting tasks.
Prints "PORT <n>" on stdout once it listens (use --port 0 for a free port).
"""
import argparse
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = set()
        self.jobs = []  # dicts: _id, name, start_ms, done_ms, fails
        self.starts = 0

    def job_view(self, job, now_ms):
        done = now_ms >= job["done_ms"]
        status = ("error" if job["fails"] else "complete") if done else "running"
        metrics = {"start_time": job["start_ms"], "end_time": None, "progress": 1 if done else 0}
        if done and not job["fails"]:
            metrics["end_time"] = job["done_ms"]
        return {"_id": job["_id"], "name": job["name"], "status": status, "metrics": metrics}


def now_ms():
    return int(time.time() * 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    state = None  # set in main

    def log_message(self, *args):  # quiet
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def envelope(self, status, message, data=None, metadata=None):
        self.reply(status, {"message": message, "data": data, "metadata": metadata or {}})

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        ok = auth.startswith("Bearer ") and auth[7:] in self.state.tokens
        if not ok:
            self.envelope(401, "Not authenticated")
        return ok

    def list_tasks(self, query):
        q = parse_qs(query)
        t = now_ms()
        with self.state.lock:
            rows = [{"_id": j["_id"] + "-m001", "job": {"_id": j["_id"], "task": "m001"},
                     "name": "ViewData", "status": "running"}
                    for j in self.state.jobs if j.get("manual") and t < j["done_ms"]]
        for key, values in q.items():
            if key == "equals[job.task]":
                rows = [r for r in rows if r["job"]["task"] == values[0]]
            elif key == "equals[status]":
                rows = [r for r in rows if r["status"] == values[0]]
            elif key != "limit":
                return self.envelope(400, "Unknown parameter " + key)
        limit = int(q.get("limit", ["25"])[0])
        meta = {"skip": 0, "limit": limit, "total": len(rows),
                "currentPageSize": min(limit, len(rows))}
        return self.envelope(200, "Successfully retrieved tasks", rows[:limit], meta)

    def finish(self, path, body):
        parts = path.split("/")  # "", ops, jobs, id, tasks, m001, finish
        task_data = (body or {}).get("taskData") if isinstance(body, dict) else None
        if not isinstance(task_data, dict) or \
           task_data.get("finish_state") not in ("success", "failure") or \
           not isinstance(task_data.get("variables"), dict):
            return self.envelope(400, "Bad taskData")
        t = now_ms()
        with self.state.lock:
            job = next((j for j in self.state.jobs if j["_id"] == parts[3]), None)
            if job is None or not job.get("manual") or parts[5] != "m001" or \
               t >= job["done_ms"]:
                return self.envelope(404, "No waiting task %s in job %s" % (parts[5], parts[3]))
            job["done_ms"] = t
        return self.envelope(200, "Successfully finished task m001",
                             {"job": parts[3], "task": "m001"})

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/health/status":
            return self.reply(200, {"status": "running"})
        if url.path == "/operations-manager/tasks":
            return self.list_tasks(url.query) if self.authorized() else None
        if url.path != "/operations-manager/jobs":
            return self.envelope(404, "No route")
        if not self.authorized():
            return None
        q = parse_qs(url.query)
        t = now_ms()
        with self.state.lock:
            rows = [self.state.job_view(j, t) for j in self.state.jobs]
        for key, values in q.items():
            if key == "equals[name]":
                rows = [r for r in rows if r["name"] == values[0]]
            elif key == "equals[status]":
                rows = [r for r in rows if r["status"] == values[0]]
            elif key == "in[status]":
                rows = [r for r in rows if r["status"] in values]
            elif key not in ("sort", "order", "limit", "skip"):
                return self.envelope(400, "Unknown parameter " + key)
        if q.get("sort") == ["metrics.end_time"]:
            desc = q.get("order") == ["-1"]
            rows.sort(key=lambda r: r["metrics"]["end_time"] or 0, reverse=desc)
        limit = int(q.get("limit", ["25"])[0])
        meta = {"skip": 0, "limit": limit, "total": len(rows),
                "currentPageSize": min(limit, len(rows))}
        return self.envelope(200, "Successfully retrieved jobs", rows[:limit], meta)

    def do_POST(self):
        body = self.read_json()
        if self.path == "/login":
            user = (body or {}).get("user") or {}
            if user.get("username") != self.state.args.user or \
               user.get("password") != self.state.args.password:
                return self.envelope(401, "Invalid credentials")
            token = secrets.token_hex(32)
            self.state.tokens.add(token)
            return self.reply(200, token.encode(), "text/plain")
        if self.path.startswith("/operations-manager/jobs/") and self.path.endswith("/finish") \
           and len(self.path.split("/")) == 7:
            return self.finish(self.path, body) if self.authorized() else None
        if self.path != "/operations-manager/jobs/start":
            return self.envelope(404, "No route")
        if not self.authorized():
            return None
        if not isinstance(body, dict) or set(body) != {"workflow", "options"} or \
           not isinstance(body["options"].get("variables", {}), dict):
            return self.envelope(400, "Body does not match the start schema")
        if body["workflow"] != self.state.args.workflow:
            return self.envelope(404, "Workflow %s not found" % body["workflow"])
        args = self.state.args
        with self.state.lock:
            self.state.starts += 1
            n = self.state.starts
            if args.fail_start_every and n % args.fail_start_every == 0:
                return self.envelope(500, "Injected start failure")
            t = now_ms()
            job = {"_id": secrets.token_hex(12), "name": body["workflow"], "start_ms": t,
                   "done_ms": (1 << 62) if args.manual else t + args.job_ms,
                   "manual": args.manual,
                   "fails": bool(args.error_every and n % args.error_every == 0)}
            self.state.jobs.append(job)
        view = self.state.job_view(job, t)
        view["variables"] = body["options"].get("variables", {})
        return self.envelope(200, "Successfully started job", view)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the load generator opens its connections all at once


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", default="bench")
    p.add_argument("--workflow", default="bench-seq10")
    p.add_argument("--job-ms", type=int, default=20, help="how long a job stays running")
    p.add_argument("--fail-start-every", type=int, default=0, help="every Nth start gets 500")
    p.add_argument("--error-every", type=int, default=0, help="every Nth job ends in error")
    p.add_argument("--manual", action="store_true", help="jobs wait on manual task m001")
    args = p.parse_args()
    Handler.state = State(args)
    server = Server(("127.0.0.1", args.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
