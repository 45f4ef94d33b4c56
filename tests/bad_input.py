#!/usr/bin/env python3
"""Bad input suite (SPEC §2, §10): every malformed request gets a 4xx with a JSON envelope whose
`message` is non-empty, the server stays up (health check after each case) and nothing is written
(job, task and workflow counts unchanged)."""
import json
import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

MAX_BODY = 100000


def raw_exchange(port, data, timeout=10):
    """Sends raw bytes, returns (status, headers dict, body bytes) or raises."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer early (413/431) and stop reading
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        buf = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length" and len(rest) >= int(v.strip()):
                        return parse(buf)
        return parse(buf)
    finally:
        s.close()


def parse(buf):
    if not buf:
        raise RuntimeError("connection closed without any response")
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode("latin-1")
    return status, headers, body


def http_bytes(method, path, body=b"", token=None, extra_headers=(), content_type="application/json"):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1", "Connection: close"]
    if token:
        lines.append("Authorization: Bearer " + token)
    if body is not None and method not in ("GET", "DELETE") or body:
        lines.append("Content-Type: " + content_type)
        lines.append("Content-Length: %d" % len(body))
    lines.extend(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


class Suite:
    def __init__(self, srv):
        self.srv = srv
        self.failures = []
        self.passed = 0

    def counts(self):
        j = self.srv.request("GET", "/operations-manager/jobs?limit=1").json()["metadata"]["total"]
        t = self.srv.request("GET", "/operations-manager/tasks?limit=1").json()["metadata"]["total"]
        w = self.srv.request("GET", "/automation-studio/workflows?limit=1").json()["total"]
        return {"jobs": j, "tasks": t, "workflows": w}

    def case(self, name, data, want=None, need_json=True):
        """data: raw request bytes. want: exact status, a list of statuses, or None (any 4xx)."""
        errs = []
        status, body = None, b""
        try:
            status, headers, body = raw_exchange(self.srv.port, data)
        except Exception as e:  # noqa: BLE001
            errs.append("no HTTP response: %s: %s" % (type(e).__name__, e))
        if status is not None:
            ok = (status in want if isinstance(want, list) else status == want) if want else 400 <= status < 500
            if not ok:
                errs.append("status %d, expected %s" % (status, want or "4xx"))
            elif not 400 <= status < 500:
                errs.append("status %d is not a 4xx" % status)
            if need_json:
                try:
                    doc = json.loads(body)
                    if not isinstance(doc, dict) or not isinstance(doc.get("message"), str) or not doc["message"].strip():
                        errs.append("envelope has no non-empty message: %r" % body[:300])
                except ValueError:
                    errs.append("body is not JSON: %r" % body[:300])
        if not self.srv.alive():
            errs.append("SERVER DIED; log tail:\n" + self.srv.log_tail())
        else:
            try:
                h = self.srv.request("GET", "/health/server", timeout=10)
                if h.status != 200:
                    errs.append("health check after the case: %r" % h)
            except OSError as e:
                errs.append("health check after the case failed: %s" % e)
        shown = data if len(data) < 400 else data[:300] + b"...(%d bytes)" % len(data)
        if errs:
            self.failures.append("FAIL %s\n  request: %r\n  response: %s %r\n    - %s" % (
                name, shown, status, body[:400], "\n    - ".join(errs)))
            print(self.failures[-1], flush=True)
        else:
            self.passed += 1
            print("ok   %s -> %s %s" % (name, status, body[:120].decode("utf-8", "replace")), flush=True)
        if not self.srv.alive():
            raise SystemExit(1)


def main():
    args = ic.arg_parser().parse_args()
    with ic.Server(os.path.abspath(args.binary), extra_args=["--max-body-bytes", str(MAX_BODY)]) as srv:
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json"))
        srv.wait_job(srv.start_job_id("bench-seq10", {"host": "h", "items": [1]}))
        s = Suite(srv)
        before = s.counts()
        tok = srv.token
        start = "/operations-manager/jobs/start"

        def post(path, body, **kw):
            return http_bytes("POST", path, body, tok, **kw)

        good = {"workflow": "bench-seq10", "options": {"variables": {"host": "h", "items": []}}}

        s.case("malformed JSON", post(start, b'{"workflow": "bench-seq10", "options": {'), 400)
        s.case("trailing garbage after JSON", post(start, json.dumps(good).encode() + b" xyz"), 400)
        s.case("single quotes", post(start, b"{'workflow': 'bench-seq10', 'options': {}}"), 400)
        s.case("NaN literal", post(start, b'{"workflow":"bench-seq10","options":{"variables":{"host":NaN,"items":[]}}}'), 400)
        s.case("empty body", post(start, b""), 400)
        s.case("body is null", post(start, b"null"), 400)
        s.case("body is a number", post(start, b"42"), 400)
        s.case("body is a string", post(start, b'"bench-seq10"'), 400)
        s.case("wrong type: workflow number", post(start, b'{"workflow":5,"options":{}}'), 400)
        s.case("wrong type: options array", post(start, b'{"workflow":"bench-seq10","options":[]}'), 400)
        s.case("wrong type: variables string", post(start, b'{"workflow":"bench-seq10","options":{"variables":"x"}}'), 400)
        s.case("wrong type: groups number", post(start, b'{"workflow":"bench-seq10","options":{"groups":5}}'), 400)
        s.case("unknown top-level field", post(start, json.dumps(dict(good, surprise=1)).encode()), 400)
        s.case("inputSchema violation", post(start, b'{"workflow":"bench-seq10","options":{"variables":{"host":[],"items":{}}}}'), 400)
        s.case("unknown workflow", post(start, b'{"workflow":"nope","options":{}}'), 404)
        s.case("invalid UTF-8 in a JSON string", post(start, b'{"workflow":"bench-\xff\xfeseq10","options":{}}'), 400)
        s.case("invalid UTF-8 in a variable", post(start, b'{"workflow":"bench-seq10","options":{"variables":{"host":"\xc3\x28","items":[]}}}'), 400)
        s.case("overlong UTF-8 encoding", post(start, b'{"workflow":"bench-seq10","options":{"variables":{"host":"\xc0\xaf","items":[]}}}'), 400)
        s.case("lone surrogate escape", post(start, b'{"workflow":"bench-seq10","options":{"variables":{"host":"\\ud800","items":[]}}}'), [200, 400])
        deep = b'{"workflow":"bench-seq10","options":{"variables":{"host":"h","items":' + b"[" * 10000 + b"]" * 10000 + b"}}}"
        s.case("10,000 levels of nesting", post(start, deep), 400)
        deep_obj = b'{"a":' * 10000 + b"1" + b"}" * 10000
        s.case("10,000 nested objects", post(start, deep_obj), 400)
        big = json.dumps({"workflow": "bench-seq10", "options": {"variables": {"host": "x" * 200000, "items": []}}}).encode()
        s.case("200 KB body over --max-body-bytes 100000", post(start, big), 413)
        s.case("Content-Length over the limit, no body sent",
               ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
                "Content-Length: 5000000\r\nConnection: close\r\n\r\n" % (start, tok)).encode(), 413)
        s.case("import body over the limit", post("/automation-studio/automations/import",
               json.dumps({"automations": [{"name": "big", "description": "y" * 200000, "tasks": {}, "transitions": {}}]}).encode()), 413)
        s.case("invalid id: GET jobs/xyz", http_bytes("GET", "/operations-manager/jobs/xyz", None, tok), [400, 404])
        s.case("invalid id: GET tasks/xyz", http_bytes("GET", "/operations-manager/tasks/xyz", None, tok), [400, 404])
        s.case("invalid id: 25 hex", http_bytes("GET", "/operations-manager/jobs/5f0c8a7e9b1d2c3a4b5c6d7e0", None, tok), [400, 404])
        s.case("unknown job id", http_bytes("GET", "/operations-manager/jobs/5f0c8a7e9b1d2c3a4b5c6d7e", None, tok), 404)
        s.case("bad percent-encoding in path", http_bytes("GET", "/operations-manager/jobs/%zz", None, tok), [400, 404])
        s.case("limit not a number", http_bytes("GET", "/operations-manager/jobs?limit=abc", None, tok), 400)
        s.case("limit negative", http_bytes("GET", "/operations-manager/jobs?limit=-5", None, tok), 400)
        s.case("skip not a number", http_bytes("GET", "/operations-manager/jobs?skip=zz", None, tok), 400)
        s.case("order not 1|-1", http_bytes("GET", "/operations-manager/jobs?sort=name&order=sideways", None, tok), 400)
        s.case("q not JSON", http_bytes("GET", "/operations-manager/jobs?q=%7Bnope", None, tok), 400)
        s.case("q unknown operator", http_bytes("GET", "/operations-manager/jobs?q=%7B%22frobnicate%22%3A%7B%7D%7D", None, tok), 400)
        s.case("unknown route", http_bytes("GET", "/no/such/route", None, tok), 404)
        s.case("unknown route under operations-manager", http_bytes("GET", "/operations-manager/nothing-here", None, tok), 404)
        # GET jobs/start reads as GET jobs/:id with an invalid id, so 400 is acceptable there.
        s.case("GET on jobs/start", http_bytes("GET", start, None, tok), [400, 405])
        s.case("wrong method PATCH on /health/server", http_bytes("PATCH", "/health/server", b"{}", tok), 405)
        s.case("wrong method POST on /whoami", http_bytes("POST", "/whoami", b"{}", tok), 405)
        # (DELETE is no wrong method there: DELETE /operations-manager/jobs/:jobId deletes a job.)
        s.case("wrong method PUT on jobs/start", http_bytes("PUT", start, b"{}", tok), 405)
        s.case("wrong method PUT on /login", http_bytes("PUT", "/login", b"{}", tok), 405)
        s.case("login malformed JSON", http_bytes("POST", "/login", b'{"user":', None), 400)
        s.case("login wrong types", http_bytes("POST", "/login", b'{"user":{"username":5,"password":[]}}', None), [400, 401])
        s.case("login empty body", http_bytes("POST", "/login", b"", None), [400, 401])
        s.case("import malformed JSON", post("/automation-studio/automations/import", b'{"automations":[{'), 400)
        s.case("import wrong type", post("/automation-studio/automations/import", b'{"automations":"x"}'), 400)
        s.case("create wrong type", post("/automation-studio/automations", b'{"automation":[]}'), 400)
        s.case("huge header (64 KB) -> 431",
               ("GET /health/server HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n" % ("a" * 65536)).encode(), 431)
        s.case("many headers (8000, ~100 KB) -> 431",
               ("GET /health/server HTTP/1.1\r\nHost: x\r\n" + "".join("X-H%d: v\r\n" % i for i in range(8000))
                + "Connection: close\r\n\r\n").encode(), 431)
        s.case("garbage bytes", bytes(range(256)) * 8 + b"\r\n\r\n", 400)
        s.case("garbage request line", b"HELLO THERE\r\n\r\n", 400)
        s.case("bad HTTP version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", [400, 505])
        s.case("negative Content-Length",
               ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n" % start).encode(), 400)

        # Half-open connection that never finishes its body must not block others.
        hang = socket.create_connection(("127.0.0.1", srv.port))
        hang.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{" % start).encode())
        try:
            h = srv.request("GET", "/health/server", timeout=10)
            if h.status != 200:
                s.failures.append("FAIL health while another connection hangs: %r" % h)
        except OSError as e:
            s.failures.append("FAIL health while another connection hangs: %s" % e)
        finally:
            hang.close()

        after = s.counts()
        if after != before:
            s.failures.append("FAIL something was written: counts before %s, after %s" % (before, after))
            print(s.failures[-1])
        # the server still works for good requests
        r = srv.start_job("bench-seq10", {"host": "h", "items": [1]})
        if r.status != 200:
            s.failures.append("FAIL a good start after the bad input: %r" % r)
        else:
            st = srv.wait_job_data(r.json()["data"]["_id"])["status"]
            if st != "complete":
                s.failures.append("FAIL the good job ended %s" % st)
        print("bad_input: %d passed, %d failed" % (s.passed, len(s.failures)))
        return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
