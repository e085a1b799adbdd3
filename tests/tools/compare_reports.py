#!/usr/bin/env python3
"""compare_reports.py A.json B.json: the cases whose outcome or message (reason) differs
between two pipespec report.json files (used by ci/wine-versions).

Prints one block per differing case, then a count. Exit 0 when both reports could be
read (whether or not they differ), 2 when one cannot."""
import json
import re
import sys


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            rep = json.load(f)
    except (OSError, ValueError) as e:
        print(f"compare_reports: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)
    cases = {}
    for c in rep.get("cases", []):
        cases[(c["id"], c.get("iteration", 1))] = c
    return rep.get("platform", "?"), cases


def main():
    if len(sys.argv) != 3:
        print("usage: compare_reports.py A.json B.json", file=sys.stderr)
        return 2
    pa, a = load(sys.argv[1])
    pb, b = load(sys.argv[2])
    print(f"A: {pa}\nB: {pb}")
    n = 0
    for key in sorted(set(a) | set(b)):
        ca, cb = a.get(key), b.get(key)
        oa = ca["outcome"] if ca else "(absent)"
        ob = cb["outcome"] if cb else "(absent)"
        ra = (ca or {}).get("reason")
        rb = (cb or {}).get("reason")
        if oa == ob and ra == rb:
            continue
        n += 1
        if oa != ob:
            what = "outcome"
        elif re.sub(r"[0-9]+", "N", ra or "") == re.sub(r"[0-9]+", "N", rb or ""):
            what = "message, in its figures only"
        else:
            what = "message"
        print(f"{key[0]}: {oa} -> {ob} ({what} differs)")
        print(f"  A: {ra}")
        print(f"  B: {rb}")
    print(f"{n} of {len(set(a) | set(b))} cases differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
