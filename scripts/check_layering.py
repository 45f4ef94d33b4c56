#!/usr/bin/env python3
"""Checks the layering table of ARCHITECTURE.md: each module includes only the modules it may."""
import os
import re
import sys

ALLOWED = {
    "base": set(),
    "json": {"base"},
    "model": {"base", "json"},
    "engine": {"base", "json", "model"},
    "store": {"base", "model"},
    "sqlite": {"base", "json", "model", "store"},
    "postgres": {"base", "json", "model", "store"},
    "tasks": {"base", "json", "model"},
    "runtime": {"base", "json", "model", "engine", "store", "tasks"},
    "auth": {"base", "json", "model", "store"},
    "automation": {"base", "json", "model", "store", "tasks", "runtime", "auth"},
    "api": {"base", "json", "model", "runtime", "auth", "automation", "store"},
    "http": {"base", "api"},
    "cli": {"base", "json"},
    "server": None,  # everything
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    bad = []
    for module in sorted(os.listdir(root)):
        if module not in ALLOWED:
            if os.path.isdir(os.path.join(root, module)):
                bad.append(f"src/{module}: module not in the layering table")
            continue
        allowed = ALLOWED[module]
        for dirpath, _, files in os.walk(os.path.join(root, module)):
            for f in files:
                if not f.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8") as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m or allowed is None:
                            continue
                        dep = m.group(1)
                        if dep != module and dep in ALLOWED and dep not in allowed:
                            rel = os.path.relpath(path, os.path.join(root, ".."))
                            bad.append(f"{rel}:{n}: {module} may not include {dep}/")
    for b in bad:
        print(b)
    if bad:
        print(f"layering check: {len(bad)} violation(s)")
        return 1
    print("layering check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
