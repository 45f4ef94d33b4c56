#!/usr/bin/env python3
"""Data-driven HTTP scenario suite for opsflow (in the spirit of sqllogictest).

Each tests/scenarios/*.json file is {"description": "...", "server_args": [...], "steps": [...]}.
A fresh server (free port, fresh data dir, logged in as admin) runs each file.

Step forms (any step may carry "eventually": N to retry it until its expectations hold):
  {"name": "...", "request": {"method", "path", "body" | "raw_body", "headers", "auth"},
   "expect": {...}, "save": {"var": "/json/pointer", "var2": "header:Set-Cookie"}}
  {"name": "...", "wait_job": "${id}", "timeout": 30, "expect": {...}, "save": {...}}
     polls GET /operations-manager/jobs/<id> until status != running; expect/save apply to
     the final GET response.

request.auth: true (default, Bearer admin token) | false | "cookie" | "query" | "bearer:<tok>"
Anywhere in a body or expectation, {"$file": "examples/x.json"} is replaced by that file's JSON
(path relative to the repo root), and {"$repeat": ["text", n]} by "text" repeated n times (large
values without large files). Strings "${var}" are replaced by the saved value (keeping its
JSON type when the whole string is one reference); "${var}" inside longer strings is textual.
Built-in vars: ${token}, ${port}.

expect keys:
  status: int or [ints]
  json_subset: value the body must contain (objects: listed keys, recursively; arrays: same
     length, element-wise subset). Matchers: "$any", "$nonempty", "$nullish" (absent or null), "$type:<json type>",
     "$regex:<re>", "$ne:<json>", {"$contains": x} (array has an element matching x),
     {"$len": n}, {"$gte": n}, {"$lte": n}, {"$unordered": [..]} (array, any order).
  json_pointer: {"/ptr": expected (matchers allowed)}
  json_absent: ["/ptr", ...]   pointers that must not exist
  body_contains: str or [str]; body_equals: str
  header_contains: {"Name": "substring"}
  all_items: {"pointer": "/data", "match": subset}   every element of the array matches
"""
import glob
import json
import os
import re
import sys
import time
import traceback

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

_MISSING = object()


class StepFailure(Exception):
    pass


def pointer_get(doc, ptr):
    if ptr == "" or ptr == "/":
        return doc if ptr == "" else doc.get("", _MISSING) if isinstance(doc, dict) else _MISSING
    cur = doc
    for raw in ptr.lstrip("/").split("/"):
        tok = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict):
            if tok not in cur:
                return _MISSING
            cur = cur[tok]
        elif isinstance(cur, list):
            try:
                i = int(tok)
            except ValueError:
                return _MISSING
            if i < 0 or i >= len(cur):
                return _MISSING
            cur = cur[i]
        else:
            return _MISSING
    return cur


def match(expected, actual, path="$"):
    """Returns None when actual matches expected, else a message."""
    if isinstance(expected, str) and expected.startswith("$"):
        if expected == "$any":
            return None if actual is not _MISSING else "%s: missing" % path
        if expected == "$nullish":
            return None if actual is _MISSING or actual is None else "%s: expected absent or null, got %r" % (path, actual)
        if expected == "$nonempty":
            return None if actual not in (_MISSING, None, "", [], {}) else "%s: expected non-empty, got %r" % (path, actual)
        if expected.startswith("$type:"):
            want = expected[6:]
            got = ic.json_type(actual) if actual is not _MISSING else "missing"
            if want == "integer":
                ok = isinstance(actual, int) and not isinstance(actual, bool)
            else:
                ok = got == want
            return None if ok else "%s: expected type %s, got %s (%r)" % (path, want, got, actual)
        if expected.startswith("$regex:"):
            if not isinstance(actual, str) or not re.search(expected[7:], actual):
                return "%s: %r does not match /%s/" % (path, actual, expected[7:])
            return None
        if expected.startswith("$ne:"):
            other = json.loads(expected[4:])
            return None if actual != other else "%s: expected != %r" % (path, other)
    if isinstance(expected, dict) and len(expected) == 1:
        (k, v), = expected.items()
        if k == "$contains":
            if not isinstance(actual, list):
                return "%s: expected array, got %r" % (path, actual)
            if any(match(v, a) is None for a in actual):
                return None
            return "%s: no element matches %s; got %s" % (path, json.dumps(v), short(actual))
        if k == "$len":
            if not isinstance(actual, (list, dict, str)) or len(actual) != v:
                return "%s: expected length %d, got %s" % (path, v, short(actual))
            return None
        if k in ("$gte", "$lte", "$gt", "$lt"):
            if not isinstance(actual, (int, float)) or isinstance(actual, bool):
                return "%s: expected number, got %r" % (path, actual)
            ok = {"$gte": actual >= v, "$lte": actual <= v, "$gt": actual > v, "$lt": actual < v}[k]
            return None if ok else "%s: %r is not %s %r" % (path, actual, k[1:], v)
        if k == "$unordered":
            if not isinstance(actual, list) or len(actual) != len(v):
                return "%s: expected %d elements in any order, got %s" % (path, len(v), short(actual))
            remaining = list(actual)
            for e in v:
                for i, a in enumerate(remaining):
                    if match(e, a) is None:
                        del remaining[i]
                        break
                else:
                    return "%s: no element matches %s; got %s" % (path, json.dumps(e), short(actual))
            return None
    if actual is _MISSING:
        return "%s: missing (expected %s)" % (path, short(expected))
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return "%s: expected object, got %s" % (path, short(actual))
        for k, v in expected.items():
            m = match(v, actual.get(k, _MISSING), "%s.%s" % (path, k))
            if m:
                return m
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return "%s: expected array, got %s" % (path, short(actual))
        if len(expected) != len(actual):
            return "%s: expected %d elements, got %d: %s" % (path, len(expected), len(actual), short(actual))
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = match(e, a, "%s[%d]" % (path, i))
            if m:
                return m
        return None
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = expected is actual
    else:
        ok = expected == actual
    return None if ok else "%s: expected %s, got %s" % (path, short(expected), short(actual))


def short(v, n=400):
    s = json.dumps(v) if v is not _MISSING else "<missing>"
    return s if len(s) <= n else s[:n] + "..."


class Runner:
    def __init__(self, srv, variables):
        self.srv = srv
        self.vars = variables

    _ref = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")

    def subst(self, v):
        if isinstance(v, str):
            m = self._ref.fullmatch(v)
            if m:
                return self.lookup(m.group(1))
            return self._ref.sub(lambda mm: self.as_text(self.lookup(mm.group(1))), v)
        if isinstance(v, list):
            return [self.subst(x) for x in v]
        if isinstance(v, dict):
            if len(v) == 1 and "$file" in v:
                with open(os.path.join(ic.REPO_ROOT, self.subst(v["$file"]))) as f:
                    return json.load(f)
            if len(v) == 1 and "$repeat" in v:
                text, n = v["$repeat"]
                return self.subst(text) * int(n)
            return {self.subst(k): self.subst(x) for k, x in v.items()}
        return v

    def lookup(self, name):
        if name not in self.vars:
            raise StepFailure("variable ${%s} was never saved (an earlier step failed?)" % name)
        return self.vars[name]

    @staticmethod
    def as_text(v):
        return v if isinstance(v, str) else json.dumps(v)

    def do_request(self, req):
        req = self.subst(req)
        auth = req.get("auth", True)
        if isinstance(auth, str) and auth.startswith("bearer:"):
            headers = dict(req.get("headers", {}))
            headers["Authorization"] = "Bearer " + auth[7:]
            req["headers"] = headers
            auth = False
        raw = req.get("raw_body")
        return self.srv.request(req.get("method", "GET"), req["path"], body=req.get("body"),
                                raw_body=raw, headers=req.get("headers"), auth=auth), req

    def check(self, expect, resp):
        expect = self.subst(expect or {})
        errs = []
        st = expect.get("status")
        if st is not None:
            ok = resp.status in st if isinstance(st, list) else resp.status == st
            if not ok:
                errs.append("status: expected %s, got %d" % (st, resp.status))
        doc = _MISSING
        needs_json = any(k in expect for k in ("json_subset", "json_pointer", "json_absent", "all_items"))
        if needs_json:
            try:
                doc = resp.json()
            except ValueError:
                errs.append("body is not JSON: %r" % resp.text[:300])
        if doc is not _MISSING:
            if "json_subset" in expect:
                m = match(expect["json_subset"], doc)
                if m:
                    errs.append("json_subset: " + m)
            for ptr, want in expect.get("json_pointer", {}).items():
                m = match(want, pointer_get(doc, ptr), ptr)
                if m:
                    errs.append("json_pointer: " + m)
            for ptr in expect.get("json_absent", []):
                if pointer_get(doc, ptr) is not _MISSING:
                    errs.append("json_absent: %s is present (%s)" % (ptr, short(pointer_get(doc, ptr))))
            ai = expect.get("all_items")
            if ai:
                arr = pointer_get(doc, ai["pointer"])
                if not isinstance(arr, list):
                    errs.append("all_items: %s is not an array" % ai["pointer"])
                else:
                    for i, el in enumerate(arr):
                        m = match(ai["match"], el, "%s[%d]" % (ai["pointer"], i))
                        if m:
                            errs.append("all_items: " + m)
                            break
        bc = expect.get("body_contains")
        for s in ([bc] if isinstance(bc, str) else bc or []):
            if s not in resp.text:
                errs.append("body does not contain %r" % s)
        if "body_equals" in expect and resp.text != expect["body_equals"]:
            errs.append("body: expected %r, got %r" % (expect["body_equals"], resp.text[:300]))
        for h, sub in expect.get("header_contains", {}).items():
            vals = resp.headers_all(h)
            if not any(sub in v for v in vals):
                errs.append("header %s: expected to contain %r, got %r" % (h, sub, vals))
        return errs

    def save(self, spec, resp):
        errs = []
        for name, ptr in (spec or {}).items():
            if ptr.startswith("header:"):
                v = resp.header(ptr[7:])
                if v is None:
                    errs.append("save %s: no header %s" % (name, ptr[7:]))
                else:
                    self.vars[name] = v
                continue
            if ptr == "body_text":
                self.vars[name] = resp.text.strip()
                continue
            try:
                doc = resp.json()
            except ValueError:
                errs.append("save %s: body is not JSON" % name)
                continue
            v = pointer_get(doc, ptr)
            if v is _MISSING:
                errs.append("save %s: %s not found in %s" % (name, ptr, short(doc)))
            else:
                self.vars[name] = v
        return errs

    def wait_job(self, step):
        job_id = self.subst(step["wait_job"])
        return self.srv.wait_job(job_id, timeout=step.get("timeout", 30))


def run_file(binary, path, verbose):
    with open(path) as f:
        scen = json.load(f)
    failures = []
    with ic.Server(binary, extra_args=scen.get("server_args", [])) as srv:
        runner = Runner(srv, {"token": srv.token, "port": srv.port})
        for i, step in enumerate(scen["steps"]):
            label = "%s step %d%s" % (os.path.basename(path), i, " (%s)" % step["name"] if "name" in step else "")
            resp = None
            req = None
            try:
                # "eventually": N repeats the request (50 ms apart, N times at most) until the
                # expectations hold, for state that becomes visible at the next group commit.
                tries = int(step.get("eventually", 1))
                while True:
                    tries -= 1
                    if "wait_job" in step:
                        resp = runner.wait_job(step)
                    else:
                        resp, req = runner.do_request(step["request"])
                    errs = runner.check(step.get("expect"), resp)
                    if not errs or tries <= 0:
                        break
                    time.sleep(0.05)
                errs += runner.save(step.get("save"), resp)
            except StepFailure as e:
                errs = [str(e)]
            except Exception as e:  # noqa: BLE001
                errs = ["%s: %s" % (type(e).__name__, e)]
                if verbose:
                    traceback.print_exc()
            if not srv.alive():
                errs.append("SERVER DIED; log tail:\n" + srv.log_tail())
            if errs:
                desc = ""
                if req is not None:
                    desc = "  request: %s %s %s\n" % (req.get("method", "GET"), req["path"],
                                                      short(req.get("body", req.get("raw_body", "")), 300))
                failures.append("FAIL %s\n%s  response: %r\n    - %s" % (
                    label, desc, resp, "\n    - ".join(errs)))
                print(failures[-1], flush=True)
            elif verbose:
                print("ok   %s" % label, flush=True)
            if not srv.alive():
                break
    return failures


def main():
    ap = ic.arg_parser()
    ap.add_argument("--scenarios", default=os.path.join(ic.TESTS_DIR, "scenarios"))
    ap.add_argument("files", nargs="*", help="scenario files (default: all in --scenarios)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(args.scenarios, "*.json")))
    if not files:
        print("no scenario files found")
        return 2
    total_fail = 0
    for f in files:
        t0 = time.monotonic()
        fails = run_file(os.path.abspath(args.binary), f, args.verbose)
        total_fail += len(fails)
        print("%s: %s (%.1fs)" % (os.path.basename(f), "FAILED %d step(s)" % len(fails) if fails else "passed",
                                 time.monotonic() - t0), flush=True)
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
