#!/usr/bin/env bash
# ci/matrix --compare on real reports: the sample cases run once under Wine; a copy of
# that report relabelled as a Windows run stands for the Windows job. The gate holds,
# pipespec_compare merges the two platforms into matrix.html and the diff finds that
# they agree; a FAIL written into the "Windows" copy then fails the gate.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
fail() { echo "FAIL: ci_matrix: $*" >&2; exit 1; }
tool=$build/pipespec_compare
[ -x "$tool" ] || fail "$tool is missing (ci/build)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-matrix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$src"
mkdir -p "$tmp/r/wine"
"$src/ci/wine" "$build/win/pipespec.exe" run --jobs 2 --no-progress --report-dir "$tmp/r/wine/catalogue" \
  scenarios/sample </dev/null >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt"; fail "the sample cases did not pass under Wine"; }
mkdir -p "$tmp/r/win/catalogue"
relabel() {  # relabel SRC DEST [CASE OUTCOME]: the report as a Windows run's
  python3 - "$@" <<'PY'
import json, sys
src, dest = sys.argv[1], sys.argv[2]
r = json.load(open(src))
r["platform"] = "Windows Server 2022 Datacenter 21H2 (ServerDatacenter) build 20348.2700, x86_64"
if len(sys.argv) > 4:
    for c in r["cases"]:
        if c["id"] == sys.argv[3]:
            c["outcome"] = sys.argv[4]
json.dump(r, open(dest, "w"), indent=1)
PY
}
relabel "$tmp/r/wine/catalogue/report.json" "$tmp/r/win/catalogue/report.json"
"$src/ci/matrix" "$tmp/r" --scenarios "$src/scenarios/sample" --compare "$tool" --out "$tmp/m.md" \
  >"$tmp/matrix.out" 2>&1 || { cat "$tmp/matrix.out"; fail "ci/matrix failed on a clean pair"; }
cat "$tmp/matrix.out"
[ -f "$tmp/r/merged/matrix.html" ] || fail "no merged/matrix.html"
grep -q "Windows Server 2022" "$tmp/r/merged/matrix.html" || fail "matrix.html has no Windows column"
grep -q "Wine" "$tmp/r/merged/matrix.html" || fail "matrix.html has no Wine column"
grep -q "wine/catalogue against win/catalogue: The two runs agree" "$tmp/m.md" || { cat "$tmp/m.md"; fail "the diff line is missing"; }
[ -f "$tmp/r/diff/wine_catalogue.md" ] || fail "no diff/wine_catalogue.md"
echo "ok: merged into matrix.html (two platforms), diffed, gate holds"

rm -rf "$tmp/r/merged" "$tmp/r/diff"
relabel "$tmp/r/wine/catalogue/report.json" "$tmp/r/win/catalogue/report.json" sample.busy-freed FAIL
"$src/ci/matrix" "$tmp/r" --scenarios "$src/scenarios/sample" --compare "$tool" --out "$tmp/m.md" \
  >"$tmp/matrix.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$tmp/matrix.out"; fail "a FAIL in the Windows run: ci/matrix exited $rc, expected 1"; }
grep -q "win/catalogue: sample.busy-freed: FAIL" "$tmp/matrix.out" || { cat "$tmp/matrix.out"; fail "the FAIL is not named"; }
grep -q "wine/catalogue against win/catalogue: 1 difference" "$tmp/m.md" || { cat "$tmp/m.md"; fail "the diff does not count the difference"; }
echo "ok: a FAIL in the Windows run fails the gate and shows in the diff"
echo "PASS: ci_matrix"
