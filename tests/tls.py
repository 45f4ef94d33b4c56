#!/usr/bin/env python3
"""Native TLS (`serve --tls-cert --tls-key`, README "TLS"), with a test CA made here by the
openssl command line:
  * a key file readable by group/others, a missing file, a cert without its key: serve exits 1
    with a sentence;
  * Python's urllib and http.client with the test CA: health, login, a job; TLS 1.2 and 1.3
    accepted, TLS 1.1 refused; a client without the CA fails verification;
  * the CLI (`opsflow import/start/jobs` over https:// with --cacert and OPSFLOW_CACERT; without
    the CA it fails with a non-zero exit);
  * plain HTTP to the TLS port gets 400 "This port speaks HTTPS" and the connection closes;
  * the event stream over TLS;
  * SIGHUP with a new certificate: new connections get it, a keep-alive connection and an event
    stream opened before keep working; a broken certificate on SIGHUP keeps the previous one."""
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

WORKFLOW = "bench-seq10"
WAIT_S = 20  # safety net for waits on the server's log or a stream


def openssl(*args, cwd):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), p.stderr.decode()[-500:]))


def make_ca(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=opsflow test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n")


def make_server_cert(d, name):
    """name.pem / name.key signed by the CA (key mode 0600)."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=localhost", cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", "server.ext", cwd=d)
    os.chmod(os.path.join(d, name + ".key"), 0o600)


def der_of(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TlsServer(ic.Server):
    """ic.Server speaking HTTPS with the test CA."""

    def __init__(self, binary, ca, cert, key):
        super().__init__(binary, extra_args=["--tls-cert", cert, "--tls-key", key])
        self.ctx = ssl.create_default_context(cafile=ca)
        self.url = "https://localhost:%d" % self.port

    def request(self, method, path, body=None, raw_body=None, headers=None, auth=True,
                timeout=30):
        hdrs = dict(headers or {})
        if auth is True and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPSConnection("localhost", self.port, timeout=timeout, context=self.ctx)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            return ic.Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def peer_cert(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=WAIT_S) as s:
            with self.ctx.wrap_socket(s, server_hostname="localhost") as t:
                return t.getpeercert(binary_form=True)

    def wait_log(self, text, after):
        """Waits until the log holds `text` past byte offset `after`."""
        deadline = time.monotonic() + WAIT_S
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(after)
                if text.encode() in f.read():
                    return
            if time.monotonic() > deadline:
                raise AssertionError("no %r in the log: %s" % (text, self.log_tail(1500)))
            time.sleep(0.05)

    def log_size(self):
        return os.path.getsize(self.log_path)


def serve_fails(binary, args, words):
    d = tempfile.mkdtemp(prefix="opsflow-tls-bad-")
    env = dict(os.environ, OPSFLOW_ADMIN_USER=ic.ADMIN_USER, OPSFLOW_ADMIN_PASSWORD=ic.ADMIN_PASSWORD)
    p = subprocess.run([binary, "serve", "--listen", "127.0.0.1:%d" % ic.free_port(), "--data",
                        os.path.join(d, "data")] + args, env=env, capture_output=True, timeout=30)
    err = p.stderr.decode()
    check(p.returncode == 1 and words in err, "serve %s: rc %d, %r" % (args, p.returncode, err[-400:]))


def test_refusals(binary, d):
    bad = os.path.join(d, "loose.key")
    with open(os.path.join(d, "a.key"), "rb") as f, open(bad, "wb") as g:
        g.write(f.read())
    os.chmod(bad, 0o640)
    cert = os.path.join(d, "a.pem")
    serve_fails(binary, ["--tls-cert", cert, "--tls-key", bad], "chmod 600")
    serve_fails(binary, ["--tls-cert", cert], "--tls-cert and --tls-key go together")
    serve_fails(binary, ["--tls-cert", os.path.join(d, "nope.pem"), "--tls-key",
                         os.path.join(d, "a.key")], "nope.pem")
    serve_fails(binary, ["--tls-cert", cert, "--tls-key", os.path.join(d, "b.key")],
                "mismatch")


def test_python_clients(srv, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with urllib.request.urlopen(srv.url + "/health/server", context=ctx, timeout=WAIT_S) as r:
        check(r.status == 200, "urllib health: %d" % r.status)
    req = urllib.request.Request(srv.url + "/operations-manager/jobs?limit=1",
                                 headers={"Authorization": "Bearer " + srv.token})
    with urllib.request.urlopen(req, context=ctx, timeout=WAIT_S) as r:
        check("metadata" in json.loads(r.read()), "urllib job list")
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        c = ssl.create_default_context(cafile=ca)
        c.minimum_version = c.maximum_version = version
        with socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT_S) as s:
            with c.wrap_socket(s, server_hostname="localhost") as t:
                check(t.version() == version.name.replace("v1_", "v1."),
                      "negotiated %s for %s" % (t.version(), version))
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    try:
        old.set_ciphers("ALL:@SECLEVEL=0")
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        refused = False
        with socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT_S) as s:
            try:
                old.wrap_socket(s).close()
            except (ssl.SSLError, OSError):
                refused = True
        check(refused, "a TLS 1.1 handshake succeeded")
    except (ValueError, ssl.SSLError):
        pass  # this Python's OpenSSL cannot even offer TLS 1.1: nothing to check
    try:
        urllib.request.urlopen(srv.url + "/health/server", timeout=WAIT_S,
                               context=ssl.create_default_context())
        check(False, "a client without the test CA connected")
    except urllib.error.URLError as e:
        check("CERTIFICATE_VERIFY_FAILED" in str(e), "no CA: %r" % e)


def test_plain_http_refused(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT_S) as s:
        s.sendall(b"GET /health/server HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    text = data.decode("utf-8", "replace")
    check(text.startswith("HTTP/1.1 400"), "plain HTTP: %r" % text[:200])
    check("This port speaks HTTPS" in text, "plain HTTP message: %r" % text[-300:])


def run_cli(binary, args, env_extra=None):
    env = dict(os.environ)
    for k in ("OPSFLOW_CACERT", "OPSFLOW_URL", "OPSFLOW_TOKEN"):
        env.pop(k, None)
    env.update(env_extra or {})
    return subprocess.run([binary] + args, env=env, capture_output=True, timeout=60)


def test_cli(binary, srv, ca):
    creds = ["--url", srv.url, "--user", ic.ADMIN_USER, "--password", ic.ADMIN_PASSWORD]
    wf = os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json")
    p = run_cli(binary, ["import", wf, "--cacert", ca] + creds)
    check(p.returncode == 0, "cli import over https: %r" % (p.stdout + p.stderr))
    p = run_cli(binary, ["start", WORKFLOW, "--var", "host=\"cli\"", "--var", "items=[1]", "--wait",
                         "--cacert", ca] + creds)
    check(p.returncode == 0, "cli start --wait over https: %r" % (p.stdout + p.stderr)[-500:])
    p = run_cli(binary, ["jobs"] + creds, {"OPSFLOW_CACERT": ca})
    check(p.returncode == 0 and WORKFLOW in p.stdout.decode(),
          "cli jobs with OPSFLOW_CACERT: %r" % (p.stdout + p.stderr)[-500:])
    p = run_cli(binary, ["jobs"] + creds)
    err = p.stderr.decode().lower()
    check(p.returncode != 0 and "certificate" in err, "cli without the CA: rc %d %r"
          % (p.returncode, err[-300:]))


class TlsSse:
    """An event stream over TLS; text() is everything received so far."""

    def __init__(self, srv):
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT_S)
        self.sock = srv.ctx.wrap_socket(raw, server_hostname="localhost")
        self.sock.sendall(("GET /operations-manager/events HTTP/1.1\r\nHost: localhost\r\n"
                           "Accept: text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n"
                           % srv.token).encode())
        self.buf = b""

    def wait_for(self, *needles):
        deadline = time.monotonic() + WAIT_S
        while not all(n.encode() in self.buf for n in needles):
            if time.monotonic() > deadline:
                raise AssertionError("stream lacks %r: %r" % (needles, self.buf[-400:]))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("the stream closed: %r" % self.buf[-400:])
            self.buf += chunk

    def close(self):
        self.sock.close()


def test_events_and_reload(srv, d):
    stream = TlsSse(srv)
    stream.wait_for("HTTP/1.1 200")
    job = srv.start_job_id(WORKFLOW, {"host": "sse", "items": []})
    stream.wait_for("jobComplete", job)
    # A keep-alive connection made before the reload.
    keep = http.client.HTTPSConnection("localhost", srv.port, timeout=WAIT_S, context=srv.ctx)
    keep.request("GET", "/health/server")
    check(keep.getresponse().read() is not None, "keep-alive request")
    check(srv.peer_cert() == der_of(os.path.join(d, "a.pem")), "first certificate served")
    # Swap in certificate b (renamed into place, as certbot-style tools do) and SIGHUP.
    for ext in ("pem", "key"):
        os.replace(os.path.join(d, "b." + ext), os.path.join(d, "live." + ext))
    mark = srv.log_size()
    srv.proc.send_signal(signal.SIGHUP)
    srv.wait_log("TLS certificate reloaded", mark)
    check(srv.alive(), "the server survived SIGHUP")
    check(srv.peer_cert() == der_of(os.path.join(d, "live.pem")), "new connections get the new cert")
    keep.request("GET", "/health/server")
    r = keep.getresponse()
    check(r.status == 200 and r.read() is not None, "the keep-alive connection after the reload")
    keep.close()
    job = srv.start_job_id(WORKFLOW, {"host": "sse2", "items": []})
    stream.wait_for("jobComplete", job)  # the stream opened before the reload still delivers
    stream.close()
    # A broken certificate: the reload fails and the previous one stays in use.
    with open(os.path.join(d, "live.pem"), "w") as f:
        f.write("not a certificate\n")
    mark = srv.log_size()
    srv.proc.send_signal(signal.SIGHUP)
    srv.wait_log("TLS reload failed", mark)
    check(srv.request("GET", "/health/server").status == 200, "served after a failed reload")


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    failures = []
    d = tempfile.mkdtemp(prefix="opsflow-tls-")
    try:
        make_ca(d)
        for name in ("a", "b"):
            make_server_cert(d, name)
        for ext in ("pem", "key"):  # the server reads live.*, starting as a copy of a.*
            with open(os.path.join(d, "a." + ext), "rb") as f, \
                    open(os.path.join(d, "live." + ext), "wb") as g:
                g.write(f.read())
        os.chmod(os.path.join(d, "live.key"), 0o600)
        ca = os.path.join(d, "ca.pem")
        test_refusals(binary, d)
        with TlsServer(binary, ca, os.path.join(d, "live.pem"), os.path.join(d, "live.key")) as srv:
            for name, fn in (("python clients", lambda: test_python_clients(srv, ca)),
                             ("plain http refused", lambda: test_plain_http_refused(srv)),
                             ("cli", lambda: test_cli(binary, srv, ca)),
                             ("events and reload", lambda: test_events_and_reload(srv, d))):
                try:
                    fn()
                    print("ok   " + name)
                except Exception as e:  # noqa: BLE001 - reported as a failure
                    failures.append("%s: %s: %s" % (name, type(e).__name__, e))
            if failures:
                print(srv.log_tail(3000))
    except Exception as e:  # noqa: BLE001
        failures.append("setup: %s: %s" % (type(e).__name__, e))
    finally:
        if not os.environ.get(ic.KEEP_ENV):
            import shutil
            shutil.rmtree(d, ignore_errors=True)
    return ic.report("tls", failures)


if __name__ == "__main__":
    sys.exit(main())
