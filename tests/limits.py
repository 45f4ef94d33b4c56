#!/usr/bin/env python3
"""Configurable HTTP limits (SPEC §10, issue #5 "Hostile input"): a server started with small
limits (flags, and one through its OPSFLOW_* variable) answers each with a clear error naming it:
  * headers sent byte by byte past --header-timeout-ms -> 408; a body past --body-timeout-ms -> 408;
  * more connections from one client than --max-connections-per-client -> 503;
  * headers over --max-header-bytes -> 431; a body over --max-body-bytes -> 413;
  * `limit` over --max-list-limit (set through OPSFLOW_MAX_LIST_LIMIT) -> 400;
  * JSON deeper than --max-json-depth -> 400; a nonsense limit value stops `serve` at once."""
import os
import select
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

SAFETY_S = 10  # a read that gets nothing in this long fails the test instead of hanging it
LIMIT_ARGS = ["--header-timeout-ms", "300", "--body-timeout-ms", "300",
              "--max-connections-per-client", "4", "--max-header-bytes", "2048",
              "--max-body-bytes", "4096", "--max-json-depth", "8"]


def connect(srv):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=SAFETY_S)
    return s


def read_response(s):
    """Reads one response (status, body text) from a raw socket; the server sends a length."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = s.recv(65536)
        if not data:
            raise AssertionError("connection closed before a response; got %r" % buf)
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(rest) < length:
        data = s.recv(65536)
        if not data:
            break
        rest += data
    return status, rest[:length].decode("utf-8", "replace")


def test_slow_headers(srv):
    s = connect(srv)
    s.sendall(b"GET /health/server HTTP/1.1\r\nHost: t\r\n")
    # one header byte at a time; the header deadline counts from the first byte, so the server
    # answers 408 while we are still trickling
    answered = False
    for _ in range(400):
        readable, _, _ = select.select([s], [], [], 0.025)
        if readable:
            answered = True
            break
        try:
            s.sendall(b"x")
        except OSError:
            answered = True
            break
    check(answered, "no answer to a header trickled for 10 s")
    status, body = read_response(s)
    check(status == 408 and "header-timeout-ms" in body, "slow headers: %d %s" % (status, body))
    s.close()


def test_slow_body(srv):
    s = connect(srv)
    s.sendall(b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"user\":")
    status, body = read_response(s)  # arrives when the body timeout expires
    check(status == 408 and "body-timeout-ms" in body, "slow body: %d %s" % (status, body))
    s.close()


def test_connections_per_client(srv):
    held = []
    refused = None
    try:
        for _ in range(12):
            s = connect(srv)
            held.append(s)
            s.sendall(b"GET /health/server HTTP/1.1\r\nHost: t\r\n\r\n")
            status, body = read_response(s)
            if status == 503:
                refused = body
                break
            check(status == 200, "health: %d %s" % (status, body))
        check(refused is not None, "12 connections from one client were all admitted")
        check("max-connections-per-client" in refused, "503 message: %s" % refused)
        check(len(held) <= 5, "refused only after %d connections (limit 4)" % len(held))
    finally:
        for s in held:
            s.close()
    # the slots come back once the connections close
    for _ in range(200):
        try:
            if srv.request("GET", "/health/server", auth=False, timeout=SAFETY_S).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the server kept refusing after the connections closed")


def test_sizes(srv):
    r = srv.request("GET", "/health/server", auth=False, headers={"X-Big": "h" * 4096})
    check(r.status == 431 and "max-header-bytes" in r.text, "big headers: %r" % r)
    r = srv.request("POST", "/automation-studio/automations/import", raw_body=b"x" * 8192,
                    headers={"Content-Type": "application/json"})
    check(r.status == 413 and "max-body-bytes" in r.text, "big body: %r" % r)
    deep = {"a": [[[[[[[[[[1]]]]]]]]]]}
    r = srv.request("POST", "/automation-studio/workflows/validate", body=deep)
    check(r.status == 400 and "nesting" in r.text and "8" in r.text, "deep JSON: %r" % r)


def test_list_limit(srv):
    r = srv.request("GET", "/operations-manager/jobs?limit=51")
    check(r.status == 400 and "50" in r.text, "limit over the cap: %r" % r)
    r = srv.request("GET", "/operations-manager/jobs?limit=50")
    check(r.status == 200, "limit at the cap: %r" % r)


def test_bad_flag_value(binary):
    p = subprocess.run([binary, "serve", "--listen", "127.0.0.1:%d" % ic.free_port(), "--data",
                        "/nonexistent/never-created", "--header-timeout-ms", "0"],
                       capture_output=True, timeout=SAFETY_S)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    check(p.returncode != 0 and "header-timeout-ms" in out, "--header-timeout-ms 0: rc %d %s"
          % (p.returncode, out))


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    failures = []
    os.environ["OPSFLOW_MAX_LIST_LIMIT"] = "50"  # through the environment, not a flag
    with ic.Server(binary, extra_args=LIMIT_ARGS) as srv:
        for t in (test_slow_headers, test_slow_body, test_connections_per_client, test_sizes,
                  test_list_limit):
            try:
                t(srv)
                print("%s: ok" % t.__name__, flush=True)
            except (AssertionError, OSError, ValueError) as e:
                failures.append("%s: %s: %s" % (t.__name__, type(e).__name__, e))
        if failures:
            print("--- server log (tail) ---\n" + srv.log_tail())
    try:
        test_bad_flag_value(binary)
        print("test_bad_flag_value: ok", flush=True)
    except (AssertionError, OSError, subprocess.SubprocessError) as e:
        failures.append("test_bad_flag_value: %s: %s" % (type(e).__name__, e))
    return ic.report("limits", failures)


if __name__ == "__main__":
    sys.exit(main())
