#!/usr/bin/env python3
"""The adapter host (adapters/host, SPEC §7) runs an IAP adapter package unchanged.

tests/adapters/adapter-tinyapi (built on @itentialopensource/adapter-utils, installed by
scripts/setup) talks to two tiny HTTP APIs this test serves on 127.0.0.1 (basic auth). One host
runs three instances of it: tiny1 -> API A, tiny2 -> API B, tinystub (stub: true, mock data).
Checked: a workflow whose adapter tasks read $var.<task>.result and query response.*; a 404
ends the task in error with the adapter's message and the IAP error object kept; stub mode
answers from mock data with no HTTP; each instance calls its own API; a task naming no served
instance fails naming app and id; an unset optional input arrives as ""; a method that never
calls back ends by the host's timeout; a thrown exception is a task error; killing a child
mid-task ends in a retry on the restarted child and no lost job; the password is never logged.
Skips (exit 0, "skipped") when node or the adapter's node_modules are missing."""
import base64
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

ADAPTER_DIR = os.path.join(ic.TESTS_DIR, "adapters", "adapter-tinyapi")
HOST = os.path.join(ic.REPO_ROOT, "adapters", "host", "host.js")
API_USER = "tinyuser"
API_PASSWORD = "s3cret-tiny-pw"
LEASE_MS = 6000


class TinyApi:
    """A tiny HTTP API on 127.0.0.1 with basic auth; records the requests it answers.
    GET /api/v1/items/slow blocks the first time until release_slow() (the kill test)."""

    def __init__(self, name):
        self.name = name
        self.requests = []
        self.lock = threading.Lock()
        self.slow_seen = threading.Event()
        self.slow_release = threading.Event()
        self.slow_count = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, code, doc):
                data = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_one(self, method):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                want = "Basic " + base64.b64encode(("%s:%s" % (API_USER, API_PASSWORD)).encode()).decode()
                with api.lock:
                    api.requests.append((method, self.path, body.decode()))
                if self.headers.get("Authorization") != want:
                    return self.reply(401, {"message": "bad credentials"})
                path, _, query = self.path.partition("?")
                if method == "GET" and path == "/api/v1/health":
                    return self.reply(200, {"ok": True})
                if method == "GET" and path == "/api/v1/items":
                    items = [{"id": "a1", "name": "anvil-" + api.name, "color": "red"},
                             {"id": "b2", "name": "bell-" + api.name, "color": "blue"}]
                    m = re.search(r"color=([a-z]+)", query)
                    if m:
                        items = [i for i in items if i["color"] == m.group(1)]
                    return self.reply(200, items)
                if method == "GET" and path == "/api/v1/items/slow":
                    with api.lock:
                        api.slow_count += 1
                        first = api.slow_count == 1
                    if first:
                        api.slow_seen.set()
                        api.slow_release.wait(30)
                    return self.reply(200, {"id": "slow", "name": "slow-" + api.name})
                if method == "GET" and path.startswith("/api/v1/items/"):
                    iid = path.rsplit("/", 1)[1]
                    return self.reply(200, {"id": iid, "name": "item-%s-%s" % (iid, api.name)})
                if method == "POST" and path == "/api/v1/items":
                    doc = json.loads(body or b"{}")
                    doc["id"] = "new-" + api.name
                    return self.reply(201, doc)
                return self.reply(404, {"message": "no such path"})

            def do_GET(self):
                self.handle_one("GET")

            def do_POST(self):
                self.handle_one("POST")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def paths(self):
        with self.lock:
            return [(m, p) for m, p, _ in self.requests if not p.startswith("/api/v1/health")]

    def close(self):
        self.slow_release.set()
        self.httpd.shutdown()


def props(port, stub=False):
    return {"host": "127.0.0.1", "port": port, "protocol": "http", "base_path": "/api",
            "version": "v1", "stub": stub,
            "authentication": {"auth_method": "basic user_password", "username": API_USER,
                               "password": {"$env": "TINY_API_PASSWORD"},
                               "auth_field": "header.headers.Authorization",
                               "auth_field_format": "Basic {b64}{username}:{password}{/b64}"},
            "healthcheck": {"type": "startup"}}


def task(name, method, incoming, outgoing=None, app="TinyApi", location="Adapter"):
    return {"name": method, "canvasName": method, "summary": name, "description": name,
            "location": location, "locationType": app if location == "Adapter" else None,
            "app": app, "type": "automatic" if location == "Adapter" else "operation",
            "displayName": app, "actor": "Pronghorn", "groups": [], "scheduled": False,
            "nodeLocation": {"x": 0, "y": 0},
            "variables": {"incoming": incoming, "outgoing": outgoing or {}, "error": "",
                          "decorators": []}}


def workflow(name, tasks, transitions):
    tasks = dict(tasks)
    tasks["workflow_start"] = {"name": "workflow_start", "groups": [], "nodeLocation": {"x": 0, "y": 0}}
    tasks["workflow_end"] = {"name": "workflow_end", "groups": [], "nodeLocation": {"x": 0, "y": 0}}
    transitions = dict(transitions)
    transitions["workflow_end"] = {}
    return {"type": "automation", "canvasVersion": 3, "font_size": 12, "groups": [], "tags": [],
            "name": name, "description": "adapter host test",
            "inputSchema": {"type": "object", "properties": {}},
            "outputSchema": {"type": "object", "properties": {}},
            "tasks": tasks, "transitions": transitions}


def ok(to):
    return {to: {"type": "standard", "state": "success"}}


def items_workflow(name, instance):
    """getItems(color) -> query response[0].id -> getItem(id) -> createItem(name, body) -> query."""
    wf_tasks = {
        "a001": task("list", "getItems", {"color": "$var.job.color", "adapter_id": instance},
                     {"result": "$var.job.items"}),
        "a002": task("first id", "query", {"pass_on_null": False, "query": "response[0].id",
                                           "obj": "$var.a001.result"},
                     {"return_data": "$var.job.first_id"}, app="WorkFlowEngine", location="Application"),
        "a003": task("get", "getItem", {"id": "$var.a002.return_data", "adapter_id": instance},
                     {"result": "$var.job.item"}),
        "a004": task("create", "createItem", {"name": "$var.job.newname", "body": "$var.job.extra",
                                              "adapter_id": instance},
                     {"result": "$var.job.created"}),
        "a005": task("created id", "query", {"pass_on_null": False, "query": "response.id",
                                             "obj": "$var.a004.result"},
                     {"return_data": "$var.job.created_id"}, app="WorkFlowEngine", location="Application"),
    }
    tr = {"workflow_start": ok("a001"), "a001": ok("a002"), "a002": ok("a003"), "a003": ok("a004"),
          "a004": ok("a005"), "a005": ok("workflow_end")}
    return workflow(name, wf_tasks, tr)


def one_task_workflow(name, method, incoming):
    wf_tasks = {
        "b001": task(method, method, incoming, {"result": "$var.job.reply"}),
        "b002": task("failed", "newVariable", {"name": "reply", "value": {"failed": True}},
                     {"value": None}, app="WorkFlowEngine", location="Application"),
    }
    tr = {"workflow_start": ok("b001"),
          "b001": {"workflow_end": {"type": "standard", "state": "success"},
                   "b002": {"type": "standard", "state": "error"}},
          "b002": ok("workflow_end")}
    return workflow(name, wf_tasks, tr)


def iterations(srv, job_id, task_id):
    r = srv.request("GET", "/operations-manager/tasks?equals[job._id]=%s&limit=100" % job_id)
    check(r.status == 200, "tasks of %s: %r" % (job_id, r))
    return [t for t in r.json()["data"] if t["job"]["task"] == task_id]


def errors_of(doc):
    return " | ".join(str(e.get("message")) for e in doc.get("error") or [])


def main():
    args = ic.arg_parser().parse_args()
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(ADAPTER_DIR, "node_modules", "@itentialopensource",
                                                   "adapter-utils")):
        print("adapter_host: skipped (node or tests/adapters/adapter-tinyapi/node_modules missing: "
              "run scripts/setup)")
        return 0
    api_a, api_b = TinyApi("A"), TinyApi("B")
    tmp = tempfile.mkdtemp(prefix="opsflow-adapter-host-")
    host = None
    try:
        with ic.Server(args.binary) as srv:
            cfg = {"instances": [
                {"id": "tiny1", "type": "TinyApi", "dir": ADAPTER_DIR, "properties": props(api_a.port)},
                {"id": "tiny2", "type": "TinyApi", "dir": ADAPTER_DIR, "properties": props(api_b.port)},
                {"id": "tinystub", "type": "TinyApi", "dir": ADAPTER_DIR,
                 "properties": props(1, stub=True)}]}
            cfg_path = os.path.join(tmp, "adapters.json")
            with open(cfg_path, "w") as f:
                json.dump(cfg, f)
            # Bad config: a clear sentence and exit code 2, never a crash.
            bad = subprocess.run([node, HOST, "--config", os.path.join(tmp, "none.json")],
                                 capture_output=True, text=True, timeout=30)
            check(bad.returncode == 2 and "cannot read config" in bad.stderr, "bad config: %r" % (bad,))
            nosecret = subprocess.run([node, HOST, "--config", cfg_path, "--url", srv.url],
                                      capture_output=True, text=True, timeout=30,
                                      env={k: v for k, v in os.environ.items() if k != "TINY_API_PASSWORD"})
            check(nosecret.returncode == 2 and "TINY_API_PASSWORD" in nosecret.stderr,
                  "missing secret: %r" % (nosecret,))
            for name, inst in (("AH Items A", "tiny1"), ("AH Items B", "tiny2"), ("AH Items Stub", "tinystub")):
                doc = items_workflow(name, inst)
                r = srv.request("POST", "/automation-studio/automations/import", body={"automations": [doc]})
                check(r.status == 200, "import %s: %r" % (name, r))
            singles = {
                "AH Gone": ("getGone", {"adapter_id": "tiny1"}),
                "AH Nobody": ("getGone", {"adapter_id": "tiny9"}),
                "AH Ambiguous": ("getGone", {}),
                "AH Optional": ("getItems", {"adapter_id": "tiny2"}),
                "AH Forever": ("waitForever", {"adapter_id": "tiny1"}),
                "AH Throw": ("throwNow", {"adapter_id": "tiny1"}),
                "AH Slow": ("getItem", {"id": "slow", "adapter_id": "tiny2"}),
            }
            for name, (method, incoming) in singles.items():
                r = srv.request("POST", "/automation-studio/automations/import",
                                body={"automations": [one_task_workflow(name, method, incoming)]})
                check(r.status == 200, "import %s: %r" % (name, r))

            log_path = os.path.join(tmp, "host.log")
            env = dict(os.environ, TINY_API_PASSWORD=API_PASSWORD, OPSFLOW_URL=srv.url,
                       OPSFLOW_USER=ic.ADMIN_USER, OPSFLOW_PASSWORD=ic.ADMIN_PASSWORD)
            env.pop("OPSFLOW_TOKEN", None)
            log_file = open(log_path, "w")
            # Started through the CLI (`opsflow adapters serve` execs node with the host).
            host = subprocess.Popen([args.binary, "adapters", "serve", "--config", cfg_path,
                                     "--lease-ms", str(LEASE_MS), "--worker", "itest-host"],
                                    stdout=log_file, stderr=subprocess.STDOUT, env=env)

            def host_log():
                with open(log_path) as f:
                    return f.read()

            # 0. Health: the host reports its instances (IAP's /health/adapters shape).
            check(srv.request("POST", "/adapter-workers/status", body={"worker": "w"}).status == 400,
                  "status without adapters: 400")
            check(srv.request("POST", "/adapter-workers/status",
                              body={"worker": "w", "adapters": [{"id": "x", "state": "HAPPY"}]}).status == 400,
                  "unknown state: 400")
            check(srv.request("GET", "/health/adapters/nope").status == 404, "unknown adapter: 404")
            deadline = time.time() + 90
            while True:
                h = srv.request("GET", "/health/adapters")
                check(h.status == 200, "health: %r" % h)
                states = {a["id"]: (a["state"], a["connection"]["state"]) for a in h.json()["results"]}
                if all(states.get(i) == ("RUNNING", "ONLINE") for i in ("tiny1", "tiny2", "tinystub")):
                    break
                check(time.time() < deadline, "instances never ONLINE: %r\n%s" % (states, host_log()[-3000:]))
                time.sleep(0.2)
            check(h.json()["total"] == 3, h.json())
            one = srv.request("GET", "/health/adapters/tiny2").json()
            check(one["package_id"] == "@opsflow/adapter-tinyapi" and one["app"] == "TinyApi" and
                  one["worker"] == "itest-host" and one["type"] == "Adapter", one)
            ls = subprocess.run([args.binary, "adapters", "list", "--url", srv.url, "--user", ic.ADMIN_USER,
                                 "--password", ic.ADMIN_PASSWORD], capture_output=True, text=True, timeout=30)
            check(ls.returncode == 0 and re.search(r"^tiny2  TinyApi  @opsflow/adapter-tinyapi  RUNNING  ONLINE  itest-host  ",
                                                   ls.stdout, re.M), "adapters list: %r" % (ls,))

            # 1. The items workflow on each instance; each API sees only its own instance.
            jobs = {}
            for name, extra in (("AH Items A", {"color": "red"}), ("AH Items B", {"color": "blue"}),
                                ("AH Items Stub", {"color": "red"})):
                jobs[name] = srv.start_job_id(name, {"color": extra["color"], "newname": "widget",
                                                     "extra": {"size": 3}})
            doc = srv.wait_job_data(jobs["AH Items A"], timeout=60)
            check(doc["status"] == "complete", "items A: %s %s\n%s" % (doc["status"], errors_of(doc), host_log()[-3000:]))
            v = doc["variables"]
            check(v["items"]["icode"] == "AD.200" and v["items"]["response"] ==
                  [{"id": "a1", "name": "anvil-A", "color": "red"}], "items A result: %r" % v["items"])
            check(v["first_id"] == "a1", "query on response[0].id: %r" % v.get("first_id"))
            check(v["item"]["response"] == {"id": "a1", "name": "item-a1-A"}, v["item"])
            check(v["created"]["response"] == {"size": 3, "name": "widget", "id": "new-A"}, v["created"])
            check(v["created_id"] == "new-A", v.get("created_id"))
            doc = srv.wait_job_data(jobs["AH Items B"], timeout=60)
            check(doc["status"] == "complete", "items B: %s %s" % (doc["status"], errors_of(doc)))
            check(doc["variables"]["first_id"] == "b2" and doc["variables"]["created_id"] == "new-B",
                  doc["variables"])
            posts_a = [(m, p) for m, p, b in api_a.requests if m == "POST"]
            check(len(posts_a) == 1 and ("GET", "/api/v1/items?color=red") in api_a.paths(), api_a.paths())
            check(("GET", "/api/v1/items?color=blue") in api_b.paths() and
                  not any("blue" in p for _, p in api_a.paths()), "each instance its own API: %r %r"
                  % (api_a.paths(), api_b.paths()))
            # Stub mode: mock data, no HTTP anywhere.
            n_a, n_b = len(api_a.requests), len(api_b.requests)
            doc = srv.wait_job_data(jobs["AH Items Stub"], timeout=60)
            check(doc["status"] == "complete", "stub: %s %s" % (doc["status"], errors_of(doc)))
            check(doc["variables"]["first_id"] == "m1" and doc["variables"]["created_id"] == "m2",
                  "stub answers from mock data: %r" % doc["variables"])
            check(doc["variables"]["items"]["response"][0]["name"] == "mock anvil", doc["variables"])
            check(len(api_a.requests) == n_a and len(api_b.requests) == n_b, "stub made HTTP calls")

            # 2. 404: error with the adapter's message, the IAP error object kept.
            j = srv.start_job_id("AH Gone", {})
            doc = srv.wait_job_data(j, timeout=60)
            check(doc["variables"].get("reply") == {"failed": True}, "404 takes the error edge: %r" % doc["variables"])
            check("TinyApi answered 404" in errors_of(doc), "adapter message: %s" % errors_of(doc))
            it = iterations(srv, j, "b001")
            kept = json.dumps(it)
            check("AD.500" in kept and "IAPerror" in kept, "IAP error object kept: %s" % kept[:800])

            # 3. Routing failures name the app and the id; an unset optional input arrives as "".
            j = srv.start_job_id("AH Nobody", {})
            doc = srv.wait_job_data(j, timeout=60)
            check("tiny9" in errors_of(doc) and "TinyApi" in errors_of(doc), "unserved id: %s" % errors_of(doc))
            j = srv.start_job_id("AH Ambiguous", {})
            doc = srv.wait_job_data(j, timeout=60)
            check("TinyApi" in errors_of(doc) and "adapter_id" in errors_of(doc), "ambiguous app: %s" % errors_of(doc))
            j = srv.start_job_id("AH Optional", {})
            doc = srv.wait_job_data(j, timeout=60)
            check(doc["status"] == "complete" and len(doc["variables"]["reply"]["response"]) == 2,
                  "unset optional color -> all items: %r" % doc["variables"])
            check(("GET", "/api/v1/items") in api_b.paths(), api_b.paths())

            # 4. A method that never calls back ends by the host's timeout; a throw is an error.
            j = srv.start_job_id("AH Forever", {})
            doc = srv.wait_job_data(j, timeout=60)
            check("did not answer within" in errors_of(doc), "timeout: %s" % errors_of(doc))
            j = srv.start_job_id("AH Throw", {})
            doc = srv.wait_job_data(j, timeout=60)
            check("throwNow always throws" in errors_of(doc), "throw: %s" % errors_of(doc))

            # 5. Kill the child of tiny2 while its request hangs: the task is retried on the
            # restarted child once its lease runs out and the job completes.
            j = srv.start_job_id("AH Slow", {})
            check(api_b.slow_seen.wait(30), "the slow request never arrived")
            pids = re.findall(r"instance tiny2: child pid (\d+) started", host_log())
            check(pids, "no child pid for tiny2 in the host log")
            os.kill(int(pids[-1]), signal.SIGKILL)
            api_b.slow_release.set()
            doc = srv.wait_job_data(j, timeout=60)
            check(doc["status"] == "complete" and doc["variables"]["reply"]["response"]["id"] == "slow",
                  "retried on the restarted child: %s %s\n%s" % (doc["status"], errors_of(doc), host_log()[-3000:]))
            pids2 = re.findall(r"instance tiny2: child pid (\d+) started", host_log())
            check(len(pids2) == len(pids) + 1, "tiny2 was restarted once: %r" % pids2)
            check(api_b.slow_count == 2, "asked twice: %d" % api_b.slow_count)
            check(host.poll() is None, "the host survived the child's death")

            # 6. The API password never appears in the host's log.
            log_text = host_log()
            check(API_PASSWORD not in log_text and ic.ADMIN_PASSWORD not in log_text,
                  "a password leaked into the host log")
            host.send_signal(signal.SIGTERM)
            host.wait(timeout=30)
            log_file.close()
    finally:
        if host and host.poll() is None:
            host.kill()
            host.wait()
        api_a.close()
        api_b.close()
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(tmp, ignore_errors=True)
    print("adapter_host: ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL: %s" % e)
        sys.exit(1)
