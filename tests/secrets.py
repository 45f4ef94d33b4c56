#!/usr/bin/env python3
"""Secrets suite (SPEC §5 Decorators, README "Secrets"): a job whose `password` variable is
decorated `{type:"encryption"}` hands the clear value to the restCall tasks that read it (a local
HTTP server checks), survives kill -9 + restart still handing it in clear, and the secret is found
nowhere else: not in the SQLite files, not in the server log, not in any API response about the
job (start reply, job document, jobs list, tasks list, each task, manual-controller), where
"****" stands instead. Then: the server log holds no token and no password after logins, token
use and account creation. Also: a workflow-level decorator, bad decorators (400), and a key file
with open permissions or the wrong size stops the server with a sentence."""
import glob
import http.server
import json
import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

SECRET = "S3cr3t-Pa55w0rd-xyzzy"
SECRET2 = "Wf-level-Secret-plugh"
USER_PASSWORD = "NewUserPw-frobozz-42"
MASK = "****"


class Echo:
    """A local HTTP server that records what it receives and echoes the body back as JSON."""

    def __init__(self):
        self.received = []  # (path, body text)
        echo = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace")
                echo.received.append((self.path, body))
                out = json.dumps({"echo": body}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def bodies(self, path):
        return [b for p, b in self.received if p == path]


def rest_task(url_var, out_var):
    return {"name": "restCall", "app": "WorkFlowEngine", "location": "Application",
            "type": "automatic", "groups": [],
            "variables": {"incoming": {"uri": "$var.job." + url_var, "verb": "POST",
                                       "body": "$var.job.password", "headers": {}},
                          "outgoing": {"response": "$var.job." + out_var},
                          "error": "", "decorators": []}}


def workflow():
    manual = {"name": "ViewData", "app": "WorkFlowEngine", "location": "Application",
              "type": "manual", "view": "/workflow_engine/task/ViewData", "groups": [],
              "variables": {"incoming": {"header": "Check", "message": "the password is",
                                         "body": "$var.job.password", "variables": "",
                                         "btn_success": "OK", "btn_failure": "No"},
                            "outgoing": {}, "error": "", "decorators": []}}
    ok = {"type": "standard", "state": "success"}
    return {"name": "Secret Demo", "type": "automation", "groups": [],
            "tasks": {"workflow_start": {"name": "workflow_start", "groups": []},
                      "r001": rest_task("url1", "echo1"), "m001": manual,
                      "r002": rest_task("url2", "echo2"),
                      "workflow_end": {"name": "workflow_end", "groups": []}},
            "transitions": {"workflow_start": {"r001": ok}, "r001": {"m001": ok},
                            "m001": {"r002": ok}, "r002": {"workflow_end": ok},
                            "workflow_end": {}}}


def workflow_level():
    return {"name": "Secret Decorated", "type": "automation", "groups": [],
            "decorators": [{"type": "encryption", "pointer": "/variables/apiKey"}],
            "tasks": {"workflow_start": {"name": "workflow_start", "groups": []},
                      "workflow_end": {"name": "workflow_end", "groups": []}},
            "transitions": {"workflow_start": {"workflow_end": {"type": "standard",
                                                                "state": "success"}},
                            "workflow_end": {}}}


failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def no_secret(text, what, secrets=(SECRET,)):
    for s in secrets:
        check(s not in text, "%s holds the secret %r" % (what, s[:6] + "..."))


def data_files(data_dir):
    return [f for f in glob.glob(os.path.join(data_dir, "**", "*"), recursive=True)
            if os.path.isfile(f) and not f.endswith("secret.key")]


def grep_files(files, needles, what):
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        for n in needles:
            check(n.encode() not in data, "%s: %s holds %r" % (what, os.path.basename(f), n[:6] + "..."))


def wait_manual(srv, job_id, task, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        r = srv.request("GET", "/operations-manager/jobs/%s/tasks/%s/manual-controller" % (job_id, task))
        if r.status == 200:
            return r
        if time.monotonic() > deadline:
            raise RuntimeError("manual task never waited: %r" % r)
        time.sleep(0.05)


def api_responses(srv, job_id):
    """Every API response about the job: (name, Response)."""
    out = [("job", srv.request("GET", "/operations-manager/jobs/%s" % job_id)),
           ("jobs list", srv.request("GET", "/operations-manager/jobs?limit=100")),
           ("tasks list", srv.request("GET", "/operations-manager/tasks?limit=1000"))]
    doc = out[0][1].json()["data"]
    for tid, task in doc["tasks"].items():
        for it in task.get("iterations", []):
            out.append(("task %s %s" % (tid, it), srv.request("GET", "/operations-manager/tasks/%s" % it)))
    return out


def main_scenario(binary):
    echo = Echo()
    srv = ic.Server(binary)
    srv2 = None
    try:
        srv.start()
        r = srv.request("POST", "/automation-studio/automations/import",
                        body={"automations": [workflow(), workflow_level()]})
        check(r.status == 200, "import: %r" % r)
        variables = {"password": SECRET, "url1": echo.url("/r1"), "url2": echo.url("/r2"),
                     "user": "svc"}
        deco = [{"type": "encryption", "pointer": "/variables/password"}]
        # Bad decorators are refused.
        for bad in ({"type": "encryption", "pointer": "/name"}, {"type": "other", "pointer": "/variables/x"}):
            r = srv.request("POST", "/operations-manager/jobs/start",
                            body={"workflow": "Secret Demo",
                                  "options": {"variables": variables, "decorators": [bad]}})
            check(r.status == 400, "bad decorator %r: %r" % (bad, r))
        r = srv.request("POST", "/operations-manager/jobs/start",
                        body={"workflow": "Secret Demo",
                              "options": {"variables": variables, "decorators": deco}})
        check(r.status == 200, "start: %r" % r)
        start_reply = r
        no_secret(r.text, "the jobs/start reply")
        data = r.json()["data"]
        job_id = data["_id"]
        check(data["variables"]["password"] == MASK, "start reply password: %r" % data["variables"].get("password"))
        check(data.get("decorators") == deco, "start reply decorators: %r" % data.get("decorators"))
        check(data["variables"]["user"] == "svc", "other variables stay clear")

        m = wait_manual(srv, job_id, "m001")
        no_secret(m.text, "the manual-controller")
        check(m.json()["data"]["variables"]["incoming"]["body"] == MASK, "manual view: %r" % m)
        check(echo.bodies("/r1") == [SECRET], "r001 got %r" % echo.bodies("/r1"))
        before_kill = api_responses(srv, job_id)

        srv.kill()  # SIGKILL while the job waits for a person
        grep_files(data_files(srv.data_dir), [SECRET], "data dir after kill -9")
        stored = b"".join(open(f, "rb").read() for f in data_files(srv.data_dir))
        check(b"$opsflow-sealed:v1:" in stored, "the store holds sealed values")

        srv2 = ic.Server(binary, data_dir=srv.data_dir, log_name="server2")
        srv2.start()
        r = srv2.finish_task(job_id, "m001")
        if r.status != 200:  # after a restart the manual task waits again: let it be queued
            wait_manual(srv2, job_id, "m001")
            r = srv2.finish_task(job_id, "m001")
        check(r.status == 200, "finish m001 after restart: %r" % r)
        no_secret(r.text, "the finish reply")
        doc = srv2.wait_job_data(job_id)
        check(doc["status"] == "complete", "job status %s: %r" % (doc["status"], doc.get("error")))
        check(echo.bodies("/r2") == [SECRET],
              "after restart r002 got %r (the clear value must survive)" % echo.bodies("/r2"))
        check(doc["variables"]["password"] == MASK, "job doc password: %r" % doc["variables"].get("password"))
        check(doc["variables"].get("echo2") == {"echo": MASK}, "a copy of the secret is masked: %r"
              % doc["variables"].get("echo2"))

        responses = before_kill + api_responses(srv2, job_id) + [("start reply", start_reply)]
        for name, resp in responses:
            check(resp.status == 200, "%s: %r" % (name, resp))
            no_secret(resp.text, name)
            if "workflow_start" not in name and "workflow_end" not in name:
                check(MASK in resp.text, "%s shows no ****: %r" % (name, resp))
        tasks = [resp.json()["data"] for name, resp in responses if name.startswith("task r001")]
        check(tasks and tasks[0]["variables"]["incoming"]["body"] == MASK, "r001 incoming: %r" % tasks[:1])
        check(tasks and tasks[0]["variables"]["outgoing"]["response"] == {"echo": MASK},
              "r001 outgoing: %r" % tasks[:1])

        # A workflow-level decorator needs no start option.
        r = srv2.start_job("Secret Decorated", {"apiKey": SECRET2, "other": "x"})
        check(r.status == 200 and r.json()["data"]["variables"]["apiKey"] == MASK, "wf decorator: %r" % r)
        job2 = r.json()["data"]["_id"]
        r = srv2.wait_job(job2)
        check(r.json()["data"]["variables"]["apiKey"] == MASK, "wf decorator doc: %r" % r)
        no_secret(r.text, "the workflow-decorated job", (SECRET2,))

        log_checks(srv2, srv)
        srv2.kill()
        grep_files(data_files(srv.data_dir), [SECRET, SECRET2], "data dir at the end")
        for path in (srv.log_path, srv2.log_path):
            with open(path, "rb") as f:
                log = f.read().decode("utf-8", "replace")
            no_secret(log, "server log " + os.path.basename(path), (SECRET, SECRET2))
    finally:
        if srv2:
            srv2.kill()
        srv.cleanup()
        echo.httpd.shutdown()


def log_checks(srv, first):
    """Logins, token use and account creation leave no token or password in the log."""
    tokens = [srv.token, first.token]
    r = srv.request("POST", "/authorization/accounts",
                    body={"username": "carol", "password": USER_PASSWORD})
    check(r.status in (200, 201), "create account: %r" % r)
    r = srv.post_login("carol", USER_PASSWORD)
    check(r.status == 200, "carol login: %r" % r)
    carol = r.text.strip()
    tokens.append(carol)
    r = srv.request("GET", "/operations-manager/jobs?limit=1",
                    headers={"Authorization": "Bearer " + carol}, auth=False)
    check(r.status == 200, "carol's token works: %r" % r)
    srv.post_login("carol", "wrong-" + USER_PASSWORD)
    srv.request("GET", "/operations-manager/jobs?limit=1",
                headers={"Authorization": "Bearer not-" + carol}, auth=False)
    r = srv.request("POST", "/oauth/token", raw_body="client_id=carol&client_secret=" + USER_PASSWORD +
                    "&grant_type=client_credentials",
                    headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=False)
    if r.status == 200:
        try:
            tokens.append(r.json()["access_token"])
        except (ValueError, KeyError):
            pass
    for path in (first.log_path, srv.log_path):
        with open(path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        name = "server log " + os.path.basename(path)
        no_secret(log, name, [t for t in tokens if t] + [USER_PASSWORD, ic.ADMIN_PASSWORD, MASK])


def key_file_checks(binary):
    """A key file readable by others, or of the wrong size, stops the server with a sentence."""
    srv = ic.Server(binary)
    try:
        srv.start()
        key = os.path.join(srv.data_dir, "secret.key")
        check(os.path.exists(key), "the key file is created on first start")
        check(os.stat(key).st_mode & 0o777 == 0o600, "key file mode %o" % (os.stat(key).st_mode & 0o777))
        check(os.path.getsize(key) == 32, "key file size %d" % os.path.getsize(key))
        srv.kill()
        for mode, size, words in ((0o644, 32, "chmod 600"), (0o600, 16, "exactly 32 bytes")):
            with open(key, "wb") as f:
                f.write(b"k" * size)
            os.chmod(key, mode)
            env = dict(os.environ, OPSFLOW_ADMIN_USER=ic.ADMIN_USER, OPSFLOW_ADMIN_PASSWORD=ic.ADMIN_PASSWORD)
            env.pop("OPSFLOW_SECRET_KEY", None)
            p = subprocess.run([binary, "serve", "--listen", "127.0.0.1:%d" % ic.free_port(),
                                "--data", srv.data_dir], env=env, capture_output=True, timeout=30)
            check(p.returncode != 0 and words in p.stderr.decode(),
                  "bad key file (mode %o, %d bytes): rc %d, %r" % (mode, size, p.returncode, p.stderr[-300:]))
        # OPSFLOW_SECRET_KEY (hex) wins over the file.
        os.environ["OPSFLOW_SECRET_KEY"] = "ab" * 32
        try:
            srv2 = ic.Server(binary, data_dir=srv.data_dir, log_name="server-envkey")
            srv2.start()
            check(srv2.alive(), "the environment key is used")
            srv2.kill()
        finally:
            del os.environ["OPSFLOW_SECRET_KEY"]
    finally:
        srv.cleanup()


def main():
    args = ic.arg_parser().parse_args()
    os.environ.pop("OPSFLOW_SECRET_KEY", None)
    main_scenario(args.binary)
    key_file_checks(args.binary)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("secrets: all checks passed")


if __name__ == "__main__":
    main()
