#!/usr/bin/env python3
"""test_matrix.py: tests of ci/matrix (the reports side by side and the Windows gate) on
reports made here: the gate holds for a clean Windows run, and fails for each kind of
case that is expected to PASS on Windows and did not."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MATRIX = os.path.join(HERE, "..", "..", "ci", "matrix")
CASES = {"a.one": "", "b.remote": "requires redirector\n", "c.wine": "requires wine\n"}


def scenarios(d):
    os.makedirs(os.path.join(d, "scen", "t"))
    for cid, extra in CASES.items():
        with open(os.path.join(d, "scen", "t", cid + ".case"), "w") as f:
            f.write(f"case    {cid}\ntitle   t\nref     none\n{extra}\nserver S create\n")


def report(d, label, platform, outcomes):
    path = os.path.join(d, "reports", label)
    os.makedirs(path)
    cases = [{"id": cid, "outcome": o, "reason": "why" if o != "PASS" else None, "tags": []}
             for cid, o in outcomes.items()]
    summary = {k: sum(1 for o in outcomes.values() if o == k)
               for k in ("PASS", "FAIL", "XFAIL", "XPASS", "SKIP", "TIMEOUT", "ERROR")}
    with open(os.path.join(path, "report.json"), "w") as f:
        json.dump({"platform": platform, "summary": summary, "cases": cases}, f)


def run(d):
    p = subprocess.run([sys.executable, MATRIX, os.path.join(d, "reports"), "--scenarios",
                        os.path.join(d, "scen"), "--out", os.path.join(d, "m.md")],
                       capture_output=True, text=True)
    return p.returncode, p.stderr


WIN = "Windows 10.0 build 20348"
WINE = "Wine 8.0"
CLEAN = {"a.one": "PASS", "b.remote": "PASS", "c.wine": "SKIP"}
TESTS = [
    ("a clean Windows run and a Wine run with XFAIL and FAIL pass the gate",
     [("win/catalogue", WIN, CLEAN), ("wine/catalogue", WINE, {"a.one": "XFAIL", "b.remote": "SKIP", "c.wine": "FAIL"})],
     0, None),
    ("a remote case SKIP on Windows fails the gate",
     [("win/catalogue", WIN, dict(CLEAN, **{"b.remote": "SKIP"}))], 1, "b.remote: SKIP"),
    ("an XFAIL on Windows fails the gate",
     [("win/catalogue", WIN, dict(CLEAN, **{"a.one": "XFAIL"}))], 1, "a.one: XFAIL"),
    ("a FAIL in a Windows suite run fails the gate",
     [("win/catalogue", WIN, CLEAN), ("win/server-suite", WIN, {"a.one": "FAIL"})], 1, "win/server-suite: a.one: FAIL"),
    ("a Windows catalogue run without every case fails the gate",
     [("win/catalogue", WIN, {"a.one": "PASS", "c.wine": "SKIP"})], 1, "lacks 1 case(s): b.remote"),
    ("a TIMEOUT on Windows fails the gate",
     [("win/catalogue", WIN, dict(CLEAN, **{"a.one": "TIMEOUT"}))], 1, "a.one: TIMEOUT"),
    ("no report at all fails", [], 1, "no report.json"),
]


def main():
    passed = failed = 0
    for name, reps, want_rc, want_text in TESTS:
        with tempfile.TemporaryDirectory() as d:
            scenarios(d)
            os.makedirs(os.path.join(d, "reports"))
            for label, plat, outcomes in reps:
                report(d, label, plat, outcomes)
            rc, err = run(d)
            ok = rc == want_rc and (want_text is None or want_text in err)
            if ok and reps:
                table = open(os.path.join(d, "m.md")).read()
                ok = all(label in table for label, _, _ in reps) and "| a.one |" in table
            print(("ok   " if ok else "FAIL ") + name + ("" if ok else f" (exit {rc}: {err.strip()})"))
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
