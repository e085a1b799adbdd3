#!/usr/bin/env python3
"""check_workflow.py: every script a GitHub workflow's `run:` steps call exists in the
repository and is executable.

    check_workflow.py REPO WORKFLOW.yml...
    check_workflow.py --self-test

A script is a path under ci/ or tests/ (written ci/x, ./ci/x or ci\\x) in a run: command.
Paths under build/ are made by the build (build/pipespec: CMake from ci/pipespec.in) and
are only listed. Exit status: 0 all present and executable; 1 a script is missing or not
executable, or the workflows call no script at all; 2 usage.
"""
import os
import re
import sys
import tempfile

SCRIPT = re.compile(r"(?<![\w/\\.-])(?:\./|\.\\)?((?:ci|tests|build)[/\\][\w.\\/-]*\w)")


def run_commands(text):
    """The text of every run: value (one line, or a | / > block)."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:-\s+)?run:\s*(.*)$", lines[i])
        if not m:
            i += 1
            continue
        indent, value = len(m.group(1)), m.group(2).strip()
        if value in ("|", ">", "|-", ">-"):
            block = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i])
                i += 1
            out.append("\n".join(block))
        else:
            out.append(value.strip("'\""))
            i += 1
    return out


def check(repo, workflows):
    problems, seen = [], []
    for wf in workflows:
        with open(wf, encoding="utf-8") as fh:
            cmds = run_commands(fh.read())
        for cmd in cmds:
            for m in SCRIPT.finditer(cmd):
                rel = m.group(1).replace("\\", "/")
                if rel in seen:
                    continue
                seen.append(rel)
                if rel.startswith("build/"):
                    print(f"made by the build: {rel}")
                    continue
                path = os.path.join(repo, rel)
                if not os.path.isfile(path):
                    problems.append(f"{wf}: calls {rel}, which does not exist")
                elif not os.access(path, os.X_OK):
                    problems.append(f"{wf}: calls {rel}, which is not executable (git update-index --chmod=+x)")
                else:
                    print(f"ok: {rel}")
    if not [s for s in seen if not s.startswith("build/")]:
        problems.append("the workflows call no script of the repository: nothing was checked")
    for p in problems:
        print(f"FAIL: {p}")
    return 1 if problems else 0


def self_test():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "ci"))
        for name, mode in (("good", 0o755), ("plain", 0o644)):
            with open(os.path.join(d, "ci", name), "w") as fh:
                fh.write("#!/bin/sh\n")
            os.chmod(os.path.join(d, "ci", name), mode)
        wf = os.path.join(d, "w.yml")
        cases = [("run: ci/good --x\n", 0), ("run: ./ci/good\n", 0), ("run: |\n  echo\n  ci\\good a\n", 0),
                 ("run: ci/missing\n", 1), ("run: ci/plain\n", 1), ("run: echo hi\n", 1),
                 ("- run: |\n    ci/good\n    ci/missing\n", 1)]
        bad = 0
        for text, want in cases:
            with open(wf, "w") as fh:
                fh.write("jobs:\n  a:\n    steps:\n      " + text.replace("\n", "\n      "))
            rc = check(d, [wf])
            ok = rc == want
            print(("ok   " if ok else "FAIL ") + f"{text.strip()!r}: exit {rc}, expected {want}")
            bad += not ok
        print(f"{len(cases) - bad} passed, {bad} failed")
        return 1 if bad else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    return check(argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
