#!/usr/bin/env python3
"""The adapter host serving the instances the server stores (issue #14: /adapters).

A small adapter package of our own (written into a temporary node_modules, no npm dependency)
is stored on the server as an instance; `opsflow adapters serve` with no --config, running as an
account of the adapter-hosts group (not an admin), loads it from GET /adapters and answers its
tasks. Then, each through the API or the CLI, and each awaited by its effect with a deadline
(never a sleep, never a timing assertion): a properties change reaches the child, a stop ends
it (health STOPPED, the host logs it), a start and a restart bring a new child, `adapters add`
stores an instance the host starts, `adapters list` shows them, and the instance's secret from
the environment is never logged. Skips (exit 0) when node is missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402
from adapter_host import ok, task, workflow  # noqa: E402

SECRET = "pw-echo-s3cret"
HOST_USER, HOST_PASSWORD = "adapterhost", "hostpass123"
DEADLINE_S = 30  # generous: a change reaches the host within a second

ADAPTER_JS = r"""'use strict';
// A test adapter in IAP's package shape without adapter-utils: greet(who) answers from its
// properties, with the child's pid so that a restart can be seen.
const EventEmitter = require('events');
class EchoApi extends EventEmitter {
  constructor(id, properties) { super(); this.id = id; this.props = properties || {}; }
  connect() { setImmediate(() => this.emit('ONLINE', { id: this.id })); }
  greet(who, callback) {
    log.info(`greet ${who} with password ${this.props.password}`);
    callback({ icode: 'AD.200', response: { greeting: `${this.props.greeting} ${who}`, id: this.id, pid: process.pid,
      has_password: this.props.password === process.env.ECHO_EXPECTED } });
  }
}
module.exports = EchoApi;
"""

PRONGHORN = {"id": "@opsflow/adapter-echo", "type": "Adapter", "export": "EchoApi", "title": "EchoApi",
             "methods": [{"name": "greet", "input": [{"name": "who", "type": "string", "required": False}],
                          "output": {"name": "result", "type": "object"}, "task": True}]}


def write_package(root):
    pkg = os.path.join(root, "node_modules", "@opsflow", "adapter-echo")
    os.makedirs(pkg)
    with open(os.path.join(pkg, "package.json"), "w") as f:
        json.dump({"name": "@opsflow/adapter-echo", "version": "1.0.0", "main": "adapter.js"}, f)
    with open(os.path.join(pkg, "pronghorn.json"), "w") as f:
        json.dump(PRONGHORN, f)
    with open(os.path.join(pkg, "adapter.js"), "w") as f:
        f.write(ADAPTER_JS)
    return os.path.join(root, "node_modules")


def config(name, greeting):
    return {"name": name, "type": "EchoApi", "model": "@opsflow/adapter-echo",
            "properties": {"greeting": greeting, "password": {"$env": "ECHO_PW"}}}


def wait_for(what, fn, log):
    """Calls fn until it returns a true value (returned); fails after DEADLINE_S."""
    deadline = time.time() + DEADLINE_S
    while True:
        v = fn()
        if v:
            return v
        check(time.time() < deadline, "%s: not reached within %d s\n%s" % (what, DEADLINE_S, log()[-3000:]))
        time.sleep(0.05)


def main():
    args = ic.arg_parser().parse_args()
    if not shutil.which("node"):
        print("adapter_host_server: skipped (node missing)")
        return 0
    tmp = tempfile.mkdtemp(prefix="opsflow-adapter-srv-")
    host = None
    try:
        adapters_dir = write_package(tmp)
        with ic.Server(args.binary) as srv:
            def cli(*a):
                return subprocess.run([args.binary, "adapters"] + list(a) +
                                      ["--url", srv.url, "--user", ic.ADMIN_USER, "--password", ic.ADMIN_PASSWORD],
                                      capture_output=True, text=True, timeout=30)

            check(srv.request("POST", "/authorization/groups", body={"name": "adapter-hosts"}).status == 200, "group")
            check(srv.request("POST", "/authorization/accounts",
                              body={"username": HOST_USER, "password": HOST_PASSWORD,
                                    "groups": ["adapter-hosts"]}).status == 200, "host account")
            r = srv.request("POST", "/adapters", body=config("echo1", "hello"))
            check(r.status == 200, "create echo1: %r" % r)
            for name, inst in (("EH Greet 1", "echo1"), ("EH Greet 3", "echo3")):
                doc = workflow(name, {"e001": task("greet", "greet", {"who": "$var.job.who", "adapter_id": inst},
                                                   {"result": "$var.job.reply"}, app="EchoApi")},
                               {"workflow_start": ok("e001"), "e001": ok("workflow_end")})
                r = srv.request("POST", "/automation-studio/automations/import", body={"automations": [doc]})
                check(r.status == 200, "import %s: %r" % (name, r))

            log_path = os.path.join(tmp, "host.log")
            env = dict(os.environ, ECHO_PW=SECRET, ECHO_EXPECTED=SECRET, OPSFLOW_URL=srv.url,
                       OPSFLOW_USER=HOST_USER, OPSFLOW_PASSWORD=HOST_PASSWORD)
            env.pop("OPSFLOW_TOKEN", None)
            log_file = open(log_path, "w")
            host = subprocess.Popen([args.binary, "adapters", "serve", "--adapters-dir", adapters_dir,
                                     "--lease-ms", "5000", "--worker", "srv-host", "--log-level", "debug"],
                                    stdout=log_file, stderr=subprocess.STDOUT, env=env)

            def host_log():
                with open(log_path) as f:
                    return f.read()

            def health(name):
                h = srv.request("GET", "/health/adapters/%s" % name)
                return h.json() if h.status == 200 else {}

            def online(name):
                h = health(name)
                return h if h.get("state") == "RUNNING" and h.get("connection", {}).get("state") == "ONLINE" else None

            def greet(workflow_name, who):
                job = srv.start_job_id(workflow_name, {"who": who})
                doc = srv.wait_job_data(job, timeout=DEADLINE_S)
                check(doc["status"] == "complete", "%s: %s %s\n%s" % (workflow_name, doc["status"],
                                                                      doc.get("error"), host_log()[-3000:]))
                return doc["variables"]["reply"]["response"]

            # 1. The host loads the stored instance and answers its tasks.
            h = wait_for("echo1 ONLINE", lambda: online("echo1"), host_log)
            check(h["worker"] == "srv-host" and h["app"] == "EchoApi" and h["package_id"] == "@opsflow/adapter-echo", h)
            first = greet("EH Greet 1", "bob")
            check(first["greeting"] == "hello bob" and first["id"] == "echo1", first)
            check(first["has_password"] is True, "the $env secret reached the adapter: %r" % first)

            # 2. A properties change reaches the child (restarted with them).
            r = srv.request("PUT", "/adapters/echo1/properties",
                            body={"properties": {"greeting": "hola", "password": {"$env": "ECHO_PW"}}})
            check(r.status == 200, "properties: %r" % r)
            wait_for("the new greeting", lambda: greet("EH Greet 1", "ana")["greeting"] == "hola ana", host_log)

            # 3. Stop through the API: the host ends the child; health shows STOPPED.
            r = srv.request("PUT", "/adapters/echo1/stop")
            check(r.status == 200, "stop: %r" % r)
            wait_for("echo1 stopped", lambda: health("echo1").get("state") == "STOPPED" and
                     "instance echo1: stopped" in host_log(), host_log)
            check(health("echo1").get("worker") == "", "no host reports echo1: %r" % health("echo1"))

            # 4. Start through the CLI: a new child answers again.
            c = cli("start", "echo1")
            check(c.returncode == 0 and "started" in c.stdout, "adapters start: %r" % (c,))
            wait_for("echo1 ONLINE again", lambda: online("echo1"), host_log)
            before = greet("EH Greet 1", "cy")
            check(before["greeting"] == "hola cy", before)

            # 5. Restart through the CLI: another child (another pid).
            c = cli("restart", "echo1")
            check(c.returncode == 0 and "restarted" in c.stdout, "adapters restart: %r" % (c,))
            wait_for("a new child after restart", lambda: greet("EH Greet 1", "di")["pid"] != before["pid"], host_log)

            # 6. `adapters add` stores an instance; the host starts it.
            cfg_path = os.path.join(tmp, "echo3.json")
            with open(cfg_path, "w") as f:
                json.dump(config("echo3", "hey"), f)
            c = cli("add", cfg_path)
            check(c.returncode == 0 and "echo3" in c.stdout, "adapters add: %r" % (c,))
            c = cli("add", cfg_path)
            check(c.returncode == 1 and "already exists" in c.stderr, "adapters add twice: %r" % (c,))
            wait_for("echo3 ONLINE", lambda: online("echo3"), host_log)
            three = greet("EH Greet 3", "ed")
            check(three["greeting"] == "hey ed" and three["id"] == "echo3", three)

            # 7. `adapters list` shows both, with their stored state; stop of an unknown name fails.
            c = cli("list")
            check(c.returncode == 0, "adapters list: %r" % (c,))
            for name in ("echo1", "echo3"):
                check(any(line.startswith("%s  EchoApi  @opsflow/adapter-echo  RUNNING  ONLINE  srv-host  " % name)
                          and line.endswith("stored:RUNNING") for line in c.stdout.splitlines()),
                      "adapters list shows %s: %r" % (name, c.stdout))
            c = cli("stop", "nope")
            check(c.returncode == 1 and "not found" in c.stderr, "stop unknown: %r" % (c,))

            # 8. Delete: the host ends its child.
            check(srv.request("DELETE", "/adapters/echo3").status == 200, "delete echo3")
            wait_for("echo3 gone", lambda: srv.request("GET", "/health/adapters/echo3").status == 404 and
                     "instance echo3: stopped" in host_log(), host_log)

            text = host_log()
            check(SECRET not in text, "the secret was logged:\n%s" % text[-3000:])
            check(HOST_PASSWORD not in text, "the host's password was logged")
            check("with password ****" in text, "the adapter's log line is masked:\n%s" % text[-3000:])
        print("adapter_host_server: passed")
        return 0
    finally:
        if host is not None and host.poll() is None:
            host.terminate()
            try:
                host.wait(timeout=10)
            except subprocess.TimeoutExpired:
                host.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL: %s" % e)
        sys.exit(1)
