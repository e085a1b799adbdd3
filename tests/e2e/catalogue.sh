#!/usr/bin/env bash
# The whole catalogue under Wine: no FAIL, XPASS, TIMEOUT or ERROR in a normal run
# (every known divergence recorded, every undecidable case a SKIP with its reason),
# and its real report.json valid against docs/report.schema.json.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }
"$src/ci/wine" "$build/win/pipespec.exe" run --jobs 2 --no-progress --report-dir "$out" scenarios >"$out/run.txt" 2>&1
rc=$?
grep -v "^PASS\|^XFAIL\|^SKIP\|^  " "$out/run.txt"
fails=0
[ "$rc" = 0 ] || { echo "FAIL: the catalogue run exited $rc"; fails=1; }
grep -q "^SUMMARY: .* 0 FAIL, .* 0 XPASS, .* 0 TIMEOUT, 0 ERROR" "$out/run.txt" || { echo "FAIL: not a clean run"; fails=1; }
python3 tests/tools/validate_json.py docs/report.schema.json "$out/report.json" || fails=1
xmllint --noout --schema docs/junit.xsd "$out/junit.xml" || fails=1
[ "$fails" = 0 ] && echo "ok: the whole catalogue is clean under $(grep ^PLATFORM "$out/run.txt")"
[ "$fails" = 0 ]
