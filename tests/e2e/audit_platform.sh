#!/usr/bin/env bash
# The `audit` op end to end under Wine: an identity other than `self` is judged by the
# platform (AuthzAccessCheck) or, where the platform cannot answer (Wine 8.0's authz.dll
# fails with ERROR_CALL_NOT_IMPLEMENTED), the step is SKIP with that reason and the DACL
# text only appears as a labelled lint; a case with nothing else to check is SKIP, one
# with another judged check keeps its outcome and names the skipped step.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
cases="$src/tests/e2e/engine_cases/audit"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }
"$src/ci/wine" "$build/win/pipespec.exe" run --jobs 1 --no-progress --verbose --report-dir "$out/r" \
  "$cases" >"$out/console.txt" 2>&1
rc=$?
cat "$out/console.txt"
fails=0
python3 tests/tools/validate_json.py docs/report.schema.json "$out/r/report.json" ||
  { echo "FAIL: report.json does not match docs/report.schema.json"; fails=$((fails + 1)); }
python3 - "$out/r/report.json" "$rc" <<'PY' || fails=$((fails + 1))
import json, sys
run = json.load(open(sys.argv[1])); rc = int(sys.argv[2])
cases = {c["id"]: c for c in run["cases"]}
bad = []
def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond: bad.append(what)
def audits(cid, who_self=False):
    return [t for t in cases[cid]["trace"] if t["op"] == "audit"
            and ("own token" in t["call"]) == who_self]
others = audits("engine.audit-only")
check("the audit-only case has its two audit steps traced", len(others) == 2)
if all(t["verdict"] == "skip" for t in others):
    print("mode: the platform cannot answer AuthzAccessCheck here (steps are SKIP)")
    why = "this platform cannot answer AuthzAccessCheck ("
    c = cases["engine.audit-only"]
    check("audit-only is SKIP", c["outcome"] == "SKIP")
    r = c.get("reason") or ""
    check("its reason says why, from the real call",
          r.startswith(why) and ("failed with" in r or "wrong answers" in r))
    check("the DACL text appears only as a labelled lint",
          "lint, not a platform check: the DACL text grants everyone read" in c["reason"])
    check("a skipped step has no result fields", all(not t.get("fields") for t in others))
    check("every skipped step carries the reason as its note",
          all(t.get("note", "").startswith(why) for t in others))
    w = cases["engine.audit-wrong"]
    check("a wrong expectation is not decided by the DACL text: SKIP, not FAIL",
          w["outcome"] == "SKIP" and "does not grant everyone write" in (w.get("reason") or ""))
    m = cases["engine.audit-mixed"]
    check("beside a judged AccessCheck the case keeps its outcome (PASS)", m["outcome"] == "PASS")
    check("... and its reason names the skipped step",
          (m.get("reason") or "").startswith("1 step(s) skipped, the first on line 7: " + why))
    check("... and the self audit was judged by AccessCheck",
          [t["verdict"] for t in audits("engine.audit-mixed", True)] == ["ok"])
    check("the run exits 0 (SKIP is not a failure)", rc == 0)
else:
    print("mode: AuthzAccessCheck answers here (verdicts come from it)")
    check("audit-only PASSes on Authz's answers", cases["engine.audit-only"]["outcome"] == "PASS")
    check("the trace shows the AuthzAccessCheck call and its answer",
          all("AuthzAccessCheck" in t["call"] and "granted" in t["fields"] for t in others))
    w = cases["engine.audit-wrong"]
    check("a wrong expectation FAILs", w["outcome"] == "FAIL"
          and "expected granted=yes, got granted=no" in (w.get("reason") or ""))
    check("audit-mixed PASSes", cases["engine.audit-mixed"]["outcome"] == "PASS")
    check("the run exits 1 (the wrong case failed)", rc == 1)
sys.exit(1 if bad else 0)
PY
echo "$fails check group(s) failed"
[ "$fails" = 0 ]
