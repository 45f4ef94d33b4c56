#!/usr/bin/env python3
"""Corpus round trip (SPEC §4): import the real IAP exports in the corpus folder with the CLI,
then read every workflow back (GET /automation-studio/workflows/detailed/<name> and
POST /workflow_builder/export) and every transformation (GET /transformations/<_id>) and
compare each with its file as JSON values. The only difference allowed is an `_id` the server
added to a workflow whose file had none. Also prints (does not assert) what
POST /workflow_engine/workflows/validate reports for each workflow.

usage: corpus_roundtrip.py --binary build/opsflow [CORPUS_DIR]   (default <repo>/../shared/corpus;
a missing folder skips the suite with exit 0)."""
import glob
import json
import os
import subprocess
import sys
import urllib.parse

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402

MAX_DIFFS_PER_DOC = 10


def short(v):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 120 else s[:117] + "..."


def diff(want, got, path, out, notes):
    """Appends 'path: ...' lines for every difference between two JSON values (keys in any
    order; bool and number are distinct; 1 and 1.0 are the same JSON number, noted apart)."""
    kw, kg = ic.json_type(want), ic.json_type(got)
    if kw != kg:
        out.append("%s: file has %s %s, server has %s %s" % (path or "/", kw, short(want), kg, short(got)))
        return
    if kw == "object":
        for k in want:
            p = "%s/%s" % (path, k.replace("~", "~0").replace("/", "~1"))
            if k not in got:
                out.append("%s: missing in server response (file has %s)" % (p, short(want[k])))
            else:
                diff(want[k], got[k], p, out, notes)
        for k in got:
            if k not in want:
                p = "%s/%s" % (path, k.replace("~", "~0").replace("/", "~1"))
                out.append("%s: added by server: %s" % (p, short(got[k])))
    elif kw == "array":
        if len(want) != len(got):
            out.append("%s: array length %d in file, %d from server" % (path or "/", len(want), len(got)))
        for i in range(min(len(want), len(got))):
            diff(want[i], got[i], "%s/%d" % (path, i), out, notes)
    elif kw == "number":
        if want != got:
            out.append("%s: file has %r, server has %r" % (path or "/", want, got))
        elif type(want) is not type(got):
            notes.append("%s: file has %r, server has %r (same JSON number)" % (path or "/", want, got))
    elif want != got:
        out.append("%s: file has %s, server has %s" % (path or "/", short(want), short(got)))


def compare_doc(label, want, resp, failures, allow_added_id):
    if resp.status != 200:
        failures.append("%s: %r" % (label, resp))
        return
    try:
        got = resp.json()
    except ValueError as e:
        failures.append("%s: body is not JSON (%s): %r" % (label, e, resp))
        return
    diffs, notes = [], []
    diff(want, got, "", diffs, notes)
    if allow_added_id and "_id" not in want:
        diffs = [d for d in diffs if not d.startswith("/_id: added by server")]
    for d in diffs[:MAX_DIFFS_PER_DOC]:
        failures.append("%s: %s" % (label, d))
    if len(diffs) > MAX_DIFFS_PER_DOC:
        failures.append("%s: ... and %d more differences" % (label, len(diffs) - MAX_DIFFS_PER_DOC))
    for n in notes[:3]:
        print("note %s: %s" % (label, n))


def summarize_validation(name, resp):
    if resp.status != 200:
        return "%s: validate -> %r" % (name, resp)
    try:
        body = resp.json()
    except ValueError:
        return "%s: validate -> non-JSON %r" % (name, resp)
    parts = []
    if isinstance(body, dict):
        for key in ("isValid", "valid", "errors", "warnings"):
            if key not in body:
                continue
            v = body[key]
            if isinstance(v, list):
                msgs = sorted({"%s" % (e.get("message", e) if isinstance(e, dict) else e) for e in v})
                parts.append("%s=%d%s" % (key, len(v), (" " + "; ".join(m[:100] for m in msgs[:4])) if msgs else ""))
            else:
                parts.append("%s=%s" % (key, json.dumps(v)))
        others = [k for k in body if k not in ("isValid", "valid", "errors", "warnings")]
        if others:
            parts.append("other keys: %s" % ",".join(others))
    else:
        parts.append(short(body))
    return "%s: validate -> %s" % (name, " | ".join(parts))


def main():
    ap = ic.arg_parser()
    ap.add_argument("corpus", nargs="?",
                    default=os.path.join(ic.REPO_ROOT, "..", "shared", "corpus"))
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        print("corpus folder %s is missing: corpus_roundtrip skipped" % corpus)
        return 0
    binary = os.path.abspath(args.binary)
    wf_files = sorted(glob.glob(os.path.join(corpus, "*__workflows__*.json")))
    tr_files = sorted(glob.glob(os.path.join(corpus, "*__transformations__*.json")))
    failures = []
    with ic.Server(binary) as srv:
        p = subprocess.run([binary, "import", corpus, "--url", srv.url, "--user", ic.ADMIN_USER,
                            "--password", ic.ADMIN_PASSWORD],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode("utf-8", "replace")
        print("opsflow import exit %d; output tail:\n%s" % (p.returncode, out[-3000:]))
        if p.returncode != 0:
            failures.append("opsflow import exited %d" % p.returncode)

        for f in wf_files:
            base = os.path.basename(f)
            with open(f) as fh:
                want = json.load(fh)
            name = want.get("name")
            r = srv.request("GET", "/automation-studio/workflows/detailed/%s"
                            % urllib.parse.quote(name, safe=""))
            compare_doc("%s (GET detailed)" % base, want, r, failures, True)
            r = srv.request("POST", "/workflow_builder/export", body={"options": {"name": name}})
            compare_doc("%s (export)" % base, want, r, failures, True)
            r = srv.request("POST", "/workflow_engine/workflows/validate", body={"asset": want})
            print(summarize_validation(name, r))
            # The corpus workflows have none of the problems validation looks for (checked by
            # hand: every task reachable, a path to the end, every reference and JST present).
            if r.status != 200 or r.json().get("isValid") is not True:
                failures.append("%s: validation reported problems that are not there: %s"
                                % (base, summarize_validation(name, r)))

        for f in tr_files:
            base = os.path.basename(f)
            with open(f) as fh:
                want = json.load(fh)
            tid = want.get("_id")
            if not isinstance(tid, str) or not tid:
                failures.append("%s: the file has no _id; cannot address it" % base)
                continue
            r = srv.request("GET", "/transformations/%s" % urllib.parse.quote(tid, safe=""))
            compare_doc("%s (GET /transformations/%s)" % (base, tid), want, r, failures, False)
        if failures:
            print("server log tail:\n" + srv.log_tail())

    print("checked %d workflows (x2 reads) and %d transformations" % (len(wf_files), len(tr_files)))
    return ic.report("corpus_roundtrip", failures, most=80)


if __name__ == "__main__":
    sys.exit(main())
