#!/usr/bin/env python3
"""The corpus as a conformance suite (issue 3): import ../shared/corpus into a fresh server and
run `opsflow fixture run` on every job fixture whose workflow is in the corpus. Every one must
pass. Fixtures naming workflows that are not in the corpus are listed and skipped."""
import glob
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402


def fixture_workflow(path):
    name = os.path.basename(path)[:-len(".json")]
    name = name.split("__stubs__", 1)[-1]
    head, sep, tail = name.rpartition("Job")
    if sep and head and head[-1] in " _" and (tail == "" or tail.isdigit()):
        name = head[:-1]
    return name.replace("_", " ")


def main():
    ap = ic.arg_parser()
    ap.add_argument("--corpus", default=os.path.join(ic.REPO_ROOT, "..", "shared", "corpus"))
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print("conformance: no corpus at %s; skipped" % args.corpus)
        return 0
    names = set()
    for f in glob.glob(os.path.join(args.corpus, "*__workflows__*.json")):
        with open(f) as fh:
            names.add(json.load(fh)["name"])
    fixtures = sorted(glob.glob(os.path.join(args.corpus, "*__stubs__*.json")))
    present = [f for f in fixtures if fixture_workflow(f) in names]
    for f in fixtures:
        if f not in present:
            print("skipped (workflow not in the corpus): %s" % os.path.basename(f))
    with ic.Server(args.binary) as srv:
        env = dict(os.environ, OPSFLOW_URL=srv.url,
                   OPSFLOW_USER=ic.ADMIN_USER, OPSFLOW_PASSWORD=ic.ADMIN_PASSWORD)
        imp = subprocess.run([args.binary, "import", args.corpus], env=env, capture_output=True,
                             text=True, timeout=120)
        if imp.returncode != 0:
            print("import failed:\n%s%s" % (imp.stdout, imp.stderr))
            return 1
        run = subprocess.run([args.binary, "fixture", "run"] + present, env=env,
                             capture_output=True, text=True, timeout=600)
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        expected = "%d passed, 0 failed" % len(present)
        if run.returncode != 0 or expected not in run.stdout:
            print("conformance: FAILED (wanted '%s')" % expected)
            return 1
    print("conformance: %d fixtures passed" % len(present))
    return 0


if __name__ == "__main__":
    sys.exit(main())
