"""Shared helpers for the opsflow integration suites (stdlib only).

Starts an opsflow server on a free 127.0.0.1 port with a fresh data dir, logs in, and
offers small HTTP helpers. Every suite uses Server (or RestartDir, for suites that restart a
server on the same data dir) as a context manager so the process is always killed at the end.
Also: check() for assertions, json_type(), and report() for the closing lines of a suite.
"""
import argparse
import collections
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

ADMIN_USER = "admin"
ADMIN_PASSWORD = "adminpass1"
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TESTS_DIR)
KEEP_ENV = "OPSFLOW_ITEST_KEEP"  # set: scratch folders are left in place for a post-mortem


def arg_parser():
    """An ArgumentParser with the --binary option (the opsflow executable) every suite takes."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True, help="the opsflow executable")
    return ap


def check(cond, msg):
    """Raises AssertionError(msg) unless cond holds."""
    if not cond:
        raise AssertionError(msg)


def json_type(v):
    """The JSON type name of a decoded value: null, boolean, number, string, array, object."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def report(name, failures, most=None):
    """Prints a FAIL line per failure (at most `most`, then how many were left out) and the
    closing `<name>: passed` or `<name>: FAILED`; returns the exit code (1 on failures)."""
    shown = failures if most is None else failures[:most]
    for f in shown:
        print("FAIL " + f)
    if len(failures) > len(shown):
        print("... and %d more" % (len(failures) - len(shown)))
    print("%s: %s" % (name, "FAILED" if failures else "passed"))
    return 1 if failures else 0


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body  # bytes

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return vals[0] if vals else None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        t = self.text
        if len(t) > 1500:
            t = t[:1500] + "...(%d bytes)" % len(self.body)
        return "HTTP %d %s" % (self.status, t)


class Server:
    """An opsflow server process. Use `with Server(binary) as srv:`."""

    def __init__(self, binary, extra_args=(), data_dir=None, port=None, log_name="server"):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.own_dir = None
        if data_dir is None:
            self.own_dir = tempfile.mkdtemp(prefix="opsflow-itest-")
            data_dir = os.path.join(self.own_dir, "data")
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.token = None
        self.log_path = os.path.join(self.own_dir or os.path.dirname(data_dir),
                                     "%s-%d.log" % (log_name, self.port))
        self.log = None

    # -- process control -------------------------------------------------
    def start(self, timeout=30):
        env = dict(os.environ)
        env["OPSFLOW_ADMIN_USER"] = ADMIN_USER
        env["OPSFLOW_ADMIN_PASSWORD"] = ADMIN_PASSWORD
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:%d" % self.port,
             "--data", self.data_dir] + self.extra_args,
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s during start; log:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            try:
                r = self.request("GET", "/health/server", auth=False, timeout=2)
                if r.status in (200, 401):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not come up in %ds; log:\n%s" % (timeout, self.log_tail()))
            time.sleep(0.05)
        self.token = self.login()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None

    def cleanup(self):
        self.kill()
        if self.own_dir and not os.environ.get(KEEP_ENV):
            shutil.rmtree(self.own_dir, ignore_errors=True)

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # -- HTTP --------------------------------------------------------------
    def request(self, method, path, body=None, raw_body=None, headers=None, auth=True,
                timeout=30):
        hdrs = {}
        if auth is True and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        elif auth == "cookie" and self.token:
            hdrs["Cookie"] = "token=" + self.token
        elif auth == "query" and self.token:
            path += ("&" if "?" in path else "?") + "token=" + urllib.parse.quote(self.token)
        if headers:
            hdrs.update(headers)
        data = None
        if raw_body is not None:
            data = raw_body if isinstance(raw_body, bytes) else raw_body.encode("utf-8")
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def post_login(self, user, password):
        """POST /login as `user` (IAP body form); the Response (a token as text on success)."""
        return self.request("POST", "/login",
                            body={"user": {"username": user, "password": password}}, auth=False)

    def login(self):
        r = self.post_login(ADMIN_USER, ADMIN_PASSWORD)
        if r.status != 200:
            raise RuntimeError("login failed: %r" % r)
        return r.text.strip()

    def import_file(self, path):
        with open(path) as f:
            doc = json.load(f)
        docs = doc if isinstance(doc, list) else [doc]
        r = self.request("POST", "/automation-studio/automations/import", body={"automations": docs})
        if r.status != 200:
            raise RuntimeError("import of %s failed: %r" % (path, r))
        return r

    def start_job(self, workflow, variables=None, timeout=30, groups=None):
        opts = {}
        if variables is not None:
            opts["variables"] = variables
        if groups is not None:
            opts["groups"] = groups
        return self.request("POST", "/operations-manager/jobs/start",
                            body={"workflow": workflow, "options": opts}, timeout=timeout)

    def start_job_id(self, workflow, variables=None, groups=None):
        """Starts a job and returns its id; AssertionError unless the start is answered 200."""
        r = self.start_job(workflow, variables, groups=groups)
        check(r.status == 200, "start %s: %r" % (workflow, r))
        return r.json()["data"]["_id"]

    def finish_task(self, job_id, task, variables=None):
        """Finishes the waiting manual task `task` of a job with finish_state success."""
        return self.request("POST", "/operations-manager/jobs/%s/tasks/%s/finish" % (job_id, task),
                            body={"taskData": {"finish_state": "success",
                                               "variables": variables or {}}})

    def job_count(self):
        r = self.request("GET", "/operations-manager/jobs?limit=1")
        if r.status != 200:
            raise RuntimeError("job count failed: %r" % r)
        return r.json()["metadata"]["total"]

    def wait_job(self, job_id, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            r = self.request("GET", "/operations-manager/jobs/%s" % job_id)
            if r.status == 200 and r.json()["data"]["status"] != "running":
                return r
            if time.monotonic() > deadline:
                raise RuntimeError("job %s still running after %ds: %r" % (job_id, timeout, r))
            time.sleep(0.05)

    def wait_job_data(self, job_id, timeout=30):
        """The job document (`data` of GET jobs/<id>) once the job no longer runs."""
        return self.wait_job(job_id, timeout=timeout).json()["data"]

    def complete_counts(self, job_id):
        """(Response, Counter task id -> complete iterations) of a job from its task list; the
        Counter is None when the list is not answered 200."""
        r = self.request("GET", "/operations-manager/tasks?equals[job._id]=%s&limit=1000"
                         "&include=job,status,iteration" % job_id)
        if r.status != 200:
            return r, None
        return r, collections.Counter(t["job"]["task"] for t in r.json()["data"]
                                      if t.get("status") == "complete")


class RestartDir:
    """A scratch folder whose data dir outlives each server started in it, for suites that stop
    a server and start the next on the same --data: `with RestartDir(binary, prefix) as rd:`,
    `srv = rd.start(log_name)`. At the end the latest server is killed and the folder removed
    (kept when OPSFLOW_ITEST_KEEP is set). With a `failures` list, an Exception raised in the
    block is added to it as `<type>: <message>` instead of propagating, and when `failures` is
    not empty the tail of every server log in the folder is printed before it is removed."""

    def __init__(self, binary, prefix, failures=None):
        self.binary = binary
        self.failures = failures
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.data_dir = os.path.join(self.root, "data")
        self.srv = None

    def start(self, log_name="server"):
        self.srv = Server(self.binary, data_dir=self.data_dir, log_name=log_name)
        return self.srv.start()

    def print_logs(self, n=3000):
        for name in sorted(os.listdir(self.root)):
            if name.endswith(".log"):
                with open(os.path.join(self.root, name), "rb") as f:
                    print("--- %s (tail) ---\n%s" % (name, f.read()[-n:].decode("utf-8", "replace")))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        caught = self.failures is not None and exc_type is not None and issubclass(exc_type, Exception)
        if caught:
            self.failures.append("%s: %s" % (exc_type.__name__, exc))
        if self.srv is not None:
            self.srv.kill()
        if self.failures:
            self.print_logs()
        if not os.environ.get(KEEP_ENV):
            shutil.rmtree(self.root, ignore_errors=True)
        return caught
