#!/usr/bin/env python3
"""scripts/cluster (README "A cluster on one machine"): `up 2` in a scratch folder
(OPSFLOW_CLUSTER_DIR) with HAProxy on a free port (OPSFLOW_CLUSTER_PORT); GET /health/status
through HAProxy reaches both nodes, a job started through HAProxy completes, `down` leaves no
process behind (nodes, HAProxy, PostgreSQL; a node killed with SIGKILL and started again with
`restart 2` included), and a second `up 1` reuses the database (the job is
still there). Exits 77 (skipped) when PostgreSQL 15 or haproxy is missing."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

SCRIPT = os.path.join(ic.REPO_ROOT, "scripts", "cluster")
PGBIN = os.environ.get("OPSFLOW_PG_BIN", "/usr/lib/postgresql/15/bin")


class Via(ic.Server):
    """HTTP helpers of ic.Server against a port something else listens on."""

    def __init__(self, port, password):
        super().__init__("", data_dir="/nonexistent/data", port=port)
        self.password = password

    def login(self):
        r = self.post_login(ic.ADMIN_USER, self.password)
        ic.check(r.status == 200, "login through haproxy: %r" % r)
        self.token = r.text.strip()
        return self


def run(env, *args):
    out = subprocess.run([SCRIPT] + list(args), env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=180)
    text = out.stdout.decode("utf-8", "replace")
    print("$ scripts/cluster %s (rc %d)\n%s" % (" ".join(args), out.returncode, text))
    return out.returncode, text


def pids(d):
    """The pids of what the cluster runs, from its pid files."""
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".pid"):
            with open(os.path.join(d, name)) as f:
                out[name[:-4]] = int(f.read().split()[0])
    try:
        with open(os.path.join(d, "pg", "postmaster.pid")) as f:
            out["postgres"] = int(f.readline())
    except OSError:
        pass
    return out


def free_ports(n):
    """A port P with P..P+n-1 free on 127.0.0.1 (HAProxy takes P, the nodes the next ones)."""
    import socket
    for _ in range(100):
        p = ic.free_port()
        socks = []
        try:
            for q in range(p, p + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", q))
            return p
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no %d free ports in a row" % n)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def health(via, want, timeout=20):
    """GET /health/status through haproxy until it is answered 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = via.request("GET", "/health/status", auth=False, timeout=5)
            if r.status == 200:
                return r
        except OSError:
            r = None
        ic.check(time.monotonic() < deadline, "%s: GET /health/status: %r" % (want, r))
        time.sleep(0.1)


def main():
    args = ic.arg_parser().parse_args()
    if not os.access(os.path.join(PGBIN, "initdb"), os.X_OK) or not shutil.which("haproxy"):
        print("cluster_script: postgresql-15 or haproxy missing (scripts/setup): skipped")
        return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures = []
    root = tempfile.mkdtemp(prefix="opsflow-cluster-")
    os.chmod(root, 0o755)  # as root, PostgreSQL runs as `postgres` and must reach cluster/pg
    d = os.path.join(root, "cluster")
    port = free_ports(3)
    env = dict(os.environ, OPSFLOW_CLUSTER_DIR=d, OPSFLOW_CLUSTER_PORT=str(port),
               OPSFLOW_BIN=os.path.abspath(args.binary), OPSFLOW_ADMIN_PASSWORD=ic.ADMIN_PASSWORD,
               OPSFLOW_ADMIN_USER=ic.ADMIN_USER)
    started = {}
    try:
        rc, _ = run(env, "up", "2")
        ic.check(rc == 0, "up 2 exited %d" % rc)
        started = pids(d)
        ic.check({"node1", "node2", "haproxy", "postgres"} <= set(started),
                 "pid files after up: %r" % started)
        via = Via(port, ic.ADMIN_PASSWORD)
        r = health(via, "up 2")
        ic.check(r.json().get("status") == "running", "health: %r" % r)
        # Round robin: the health checks of both nodes pass, each node answers directly too.
        for i in (1, 2):
            r = Via(port + i, ic.ADMIN_PASSWORD).request("GET", "/health/status", auth=False)
            ic.check(r.status == 200, "node%d /health/status: %r" % (i, r))
        via.login()
        job_id = via.start_job_id("bench-seq10", {"host": "cluster", "items": [1, 2]})
        job = via.wait_job_data(job_id)
        ic.check(job["status"] == "complete" and job["variables"].get("count") == 2,
                 "job through haproxy: %r" % job)
        # README: kill -9 a node, `restart 2` starts it again.
        os.kill(started["node2"], signal.SIGKILL)
        rc, _ = run(env, "restart", "2")
        ic.check(rc == 0, "restart 2 exited %d" % rc)
        started["node2-restarted"] = pids(d)["node2"]
        r = Via(port + 2, ic.ADMIN_PASSWORD).request("GET", "/health/status", auth=False)
        ic.check(r.status == 200, "node2 after restart: %r" % r)
        rc, _ = run(env, "down")
        ic.check(rc == 0, "down exited %d" % rc)
        left = {k: p for k, p in started.items() if alive(p)}
        ic.check(not left, "still running after down: %r" % left)

        rc, _ = run(env, "up", "1")
        ic.check(rc == 0, "up 1 (reusing the database) exited %d" % rc)
        started.update({k + "-2": p for k, p in pids(d).items()})
        health(via, "up 1")
        via.login()
        r = via.request("GET", "/operations-manager/jobs/" + job_id)
        ic.check(r.status == 200 and r.json()["data"]["status"] == "complete",
                 "the job after up 1: %r" % r)
        rc, _ = run(env, "down")
        ic.check(rc == 0, "second down exited %d" % rc)
        left = {k: p for k, p in started.items() if alive(p)}
        ic.check(not left, "still running after the second down: %r" % left)
        print("cluster_script: up 2, a job through haproxy, down, up 1 on the same database, down")
    except Exception as e:  # noqa: BLE001 - reported as a failure
        failures.append("%s: %s" % (type(e).__name__, e))
        for name in ("node1.log", "node2.log", "pg.log", "import.log"):
            try:
                with open(os.path.join(d, name), "rb") as f:
                    print("--- %s (tail) ---\n%s" % (name, f.read()[-2000:].decode("utf-8", "replace")))
            except OSError:
                pass
    finally:
        if os.path.isdir(d):
            subprocess.run([SCRIPT, "down"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        for k, p in started.items():  # whatever down missed
            if alive(p):
                failures.append("%s (pid %d) outlived down" % (k, p)) if not failures else None
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(root, ignore_errors=True)
    return ic.report("cluster_script", failures)


if __name__ == "__main__":
    sys.exit(main())
