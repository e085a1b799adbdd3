#!/usr/bin/env bash
# Case-process reuse keeps isolation honest (issue 11): a case process runs further
# cases only while each leaves it clean. A leaked handle, a crash, a hang, an actor
# left inside its call and a program that leaves a process behind each cost only their
# own case: the next case runs in a new process. Clean cases share one, and a program
# under test reads an empty stdin, not the one the runner sends cases on. And the whole
# catalogue gives the same results, step by step, as with a new process per case.
. "$(dirname "$0")/checks.bash"
cases="$src/tests/e2e/isolation_cases"

ps run --jobs 1 --no-progress --report-dir "$out/r" "$cases" >"$out/console.txt" 2>&1
cat "$out/console.txt"
check "isolation cases: each outcome, process and reason as expected" python3 - "$out/r/report.json" <<'PY'
import json, sys
cs = {c["id"]: c for c in json.load(open(sys.argv[1]))["cases"]}
def proc(i): return cs[i]["case_process"]
def fresh(i, after):
    assert proc(i)["seq"] == 1, (i, proc(i))
    assert proc(i)["pid"] != proc(after)["pid"], (i, after)
want = {"iso.01-pass": "PASS", "iso.02-leak": "PASS", "iso.03-pass": "PASS", "iso.04-crash": "ERROR",
        "iso.05-pass": "PASS", "iso.06-hang": "TIMEOUT", "iso.07-pass": "PASS", "iso.08-blocked": "FAIL",
        "iso.09-pass": "PASS", "iso.10-orphan": "PASS", "iso.11-pass": "PASS", "iso.12-pass": "PASS",
        "iso.13-stdin": "PASS", "iso.14-pass": "PASS"}
for i, o in want.items():
    assert cs[i]["outcome"] == o, (i, cs[i]["outcome"], cs[i]["reason"])
# clean cases share a process
assert proc("iso.02-leak")["pid"] == proc("iso.01-pass")["pid"] and proc("iso.02-leak")["seq"] == 2
assert proc("iso.01-pass")["retired"] is None
assert proc("iso.12-pass")["pid"] == proc("iso.11-pass")["pid"] and proc("iso.12-pass")["seq"] == 2
# a program's stdin is empty (NUL), not the runner's pipe: it neither blocks nor takes a case line
assert proc("iso.14-pass")["pid"] == proc("iso.13-stdin")["pid"] == proc("iso.12-pass")["pid"]
# each thing left behind retires the process, with its reason, and the next case is fresh
reasons = {"iso.02-leak": "handle(s) were left open", "iso.04-crash": "0xC0000005",
           "iso.06-hang": "timed out", "iso.08-blocked": "was still in its call of line 7",
           "iso.10-orphan": "outlived it"}
for i, r in reasons.items():
    assert r in (proc(i)["retired"] or ""), (i, proc(i))
fresh("iso.03-pass", "iso.02-leak"); fresh("iso.05-pass", "iso.04-crash"); fresh("iso.07-pass", "iso.06-hang")
fresh("iso.09-pass", "iso.08-blocked"); fresh("iso.11-pass", "iso.10-orphan")
PY

ps run --jobs 1 --no-progress --cases-per-process 1 --report-dir "$out/one" "$cases"/0[1-3]*.case >/dev/null 2>&1
check "--cases-per-process 1: a new process for every case" python3 - "$out/one/report.json" <<'PY'
import json, sys
cs = json.load(open(sys.argv[1]))["cases"]
assert len(cs) == 3 and all(c["case_process"]["seq"] == 1 for c in cs), cs
assert len({c["case_process"]["pid"] for c in cs}) == 3
PY

# the catalogue: the same results with a new process per case as with reuse, and reuse
# really happened (so this comparison cannot pass vacuously)
ps run --no-progress --cases-per-process 1 --report-dir "$out/fresh" scenarios >/dev/null 2>&1
ps run --no-progress --report-dir "$out/reused" scenarios >/dev/null 2>&1
check "catalogue: most cases ran in a reused process" python3 - "$out/reused/report.json" <<'PY'
import json, sys
cs = json.load(open(sys.argv[1]))["cases"]
reused = sum(1 for c in cs if c.get("case_process", {}).get("seq", 1) > 1)
print(f"{reused} of {len(cs)} cases ran in a process an earlier case had used")
assert reused * 2 > len(cs)
PY
ps diff "$out/fresh" "$out/reused" >"$out/diff.txt" 2>&1
rc=$?
tail -3 "$out/diff.txt"
check "catalogue: a process per case and reused processes agree step by step (pipespec diff exit 0)" [ "$rc" = 0 ]
checks_done
