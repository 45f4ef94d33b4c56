#!/usr/bin/env python3
"""`cmake --install` into a DESTDIR (docs/DEPLOY.md): the binary, the adapter host, the systemd
unit (own user, ProtectSystem=strict, NoNewPrivileges, StateDirectory, Restart=on-failure,
SIGTERM), its sysusers.d entry, the sample configuration in share/ and in etc/; the installed
binary runs, serves with the installed sample configuration, and stops on an unknown key or a
bad value naming it; `systemd-analyze verify` finds nothing to say about the unit (when the
tool is there)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

PREFIX = "/usr"
UNIT_LINES = ["User=opsflow", "ProtectSystem=strict", "NoNewPrivileges=yes",
              "StateDirectory=opsflow", "Restart=on-failure", "KillSignal=SIGTERM",
              "ExecStart=/usr/bin/opsflow serve --config /etc/opsflow/opsflow.yaml "
              "--data /var/lib/opsflow",
              "ExecReload=/bin/kill -HUP $MAINPID"]


def install(build_dir, destdir):
    env = dict(os.environ, DESTDIR=destdir)
    p = subprocess.run(["cmake", "--install", build_dir, "--prefix", PREFIX], env=env,
                       capture_output=True, timeout=120)
    check(p.returncode == 0, "cmake --install: %s" % (p.stdout + p.stderr).decode()[-800:])
    return p.stdout.decode()


def test_layout(root):
    binary = os.path.join(root, "usr/bin/opsflow")
    check(os.access(binary, os.X_OK), "usr/bin/opsflow is not executable")
    for rel in ["usr/lib/systemd/system/opsflow.service", "usr/lib/sysusers.d/opsflow.conf",
                "usr/share/opsflow/opsflow.sample.yaml", "usr/share/doc/opsflow/DEPLOY.md",
                "etc/opsflow/opsflow.yaml"]:
        check(os.path.isfile(os.path.join(root, rel)), "missing %s" % rel)
    if os.path.isdir(os.path.join(ic.REPO_ROOT, "adapters/host")):
        host = os.path.join(root, "usr/lib/opsflow/adapters/host")
        check(os.path.isfile(os.path.join(host, "host.js")), "adapter host not installed")
        check(not os.path.exists(os.path.join(host, "test")), "adapter host tests installed")
    unit = open(os.path.join(root, "usr/lib/systemd/system/opsflow.service")).read()
    for line in UNIT_LINES:
        check(line in unit.splitlines(), "the unit lacks %r" % line)
    check("@" not in unit.replace("@system-service", ""), "unsubstituted @VAR@ in the unit")
    p = subprocess.run([binary, "--help"], capture_output=True, timeout=30)
    check(p.returncode == 0 and b"usage: opsflow" in p.stdout and b"serve" in p.stdout,
          "installed binary --help")
    return binary, unit


def serve_with(binary, config, data, extra_env=None, timeout=30):
    env = dict(os.environ, OPSFLOW_ADMIN_USER=ic.ADMIN_USER,
               OPSFLOW_ADMIN_PASSWORD=ic.ADMIN_PASSWORD)
    env.update(extra_env or {})
    return subprocess.Popen([binary, "serve", "--config", config, "--data", data], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_sample_config(binary, root, tmp):
    """The installed sample, with only `listen` changed, starts a server there."""
    port = ic.free_port()
    sample = open(os.path.join(root, "etc/opsflow/opsflow.yaml")).read()
    check("listen: 127.0.0.1:3000" in sample, "the sample sets listen")
    conf = os.path.join(tmp, "sample.yaml")
    with open(conf, "w") as f:
        f.write(sample.replace("listen: 127.0.0.1:3000", "listen: 127.0.0.1:%d" % port))
    srv = ic.Server(binary, port=port)  # only for its HTTP helpers
    proc = serve_with(binary, conf, os.path.join(tmp, "data"))
    try:
        import time
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:  # read its output only once it has exited
                check(False, "serve with the sample config exited: %s"
                      % proc.stdout.read().decode()[-600:])
            try:
                if srv.request("GET", "/health/server", auth=False, timeout=2).status == 200:
                    break
            except OSError:
                pass
            check(time.monotonic() < deadline, "serve with the sample config did not come up")
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        srv.cleanup()
    check(proc.returncode == 0, "SIGTERM exit code %s" % proc.returncode)


def test_config_refusals(binary, tmp):
    for text, words in [("listen: 127.0.0.1:1\nmax-body-byte: 5\n", "unknown key 'max-body-byte'"),
                        ("max-body-bytes: many\n", "key 'max-body-bytes'"),
                        ("io-threads: [1, 2]\n", "key 'io-threads'"),
                        ("listen: [unclosed\n", "is not valid YAML")]:
        conf = os.path.join(tmp, "bad.yaml")
        with open(conf, "w") as f:
            f.write(text)
        proc = serve_with(binary, conf, os.path.join(tmp, "bad-data"))
        out = proc.communicate(timeout=30)[0].decode()
        check(proc.returncode == 1 and words in out and "bad.yaml" in out,
              "config %r: rc %s, %r" % (text, proc.returncode, out[-400:]))
    proc = serve_with(binary, os.path.join(tmp, "absent.yaml"), os.path.join(tmp, "bad-data"))
    out = proc.communicate(timeout=30)[0].decode()
    check(proc.returncode == 1 and "absent.yaml" in out, "missing config file: %r" % out[-300:])


def test_systemd_verify(unit, root, tmp):
    tool = shutil.which("systemd-analyze")
    if not tool:
        print("skip systemd-analyze verify: not installed")
        return
    # Verify a copy whose ExecStart points at the DESTDIR binary (the real path is not there).
    d = os.path.join(tmp, "units")
    os.makedirs(d)
    path = os.path.join(d, "opsflow.service")
    with open(path, "w") as f:
        f.write(unit.replace("/usr/bin/opsflow", os.path.join(root, "usr/bin/opsflow")))
    p = subprocess.run([tool, "verify", path], capture_output=True, timeout=60)
    out = (p.stdout + p.stderr).decode()
    about_unit = [l for l in out.splitlines() if "opsflow.service" in l]
    check(not about_unit, "systemd-analyze verify: %s" % "\n".join(about_unit))
    print("systemd-analyze verify: rc %d%s" % (p.returncode, (", " + out.strip()[:300]) if out.strip() else ""))


def main():
    ap = ic.arg_parser()
    ap.add_argument("--build-dir", required=True)
    args = ap.parse_args()
    failures = []
    tmp = tempfile.mkdtemp(prefix="opsflow-install-")
    try:
        root = os.path.join(tmp, "root")
        install(args.build_dir, root)
        binary, unit = test_layout(root)
        # A second install keeps an edited configuration.
        conf = os.path.join(root, "etc/opsflow/opsflow.yaml")
        with open(conf, "a") as f:
            f.write("# edited\n")
        install(args.build_dir, root)
        check(open(conf).read().endswith("# edited\n"), "a reinstall overwrote etc/opsflow/opsflow.yaml")
        for name, fn in (("sample config", lambda: test_sample_config(binary, root, tmp)),
                         ("config refusals", lambda: test_config_refusals(binary, tmp)),
                         ("systemd verify", lambda: test_systemd_verify(unit, root, tmp))):
            try:
                fn()
                print("ok   " + name)
            except Exception as e:  # noqa: BLE001 - reported as a failure
                failures.append("%s: %s: %s" % (name, type(e).__name__, e))
    except Exception as e:  # noqa: BLE001
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        if not os.environ.get(ic.KEEP_ENV):
            shutil.rmtree(tmp, ignore_errors=True)
    return ic.report("install_layout", failures)


if __name__ == "__main__":
    sys.exit(main())
