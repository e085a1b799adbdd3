#!/usr/bin/env bash
# The release zip (CPack, pipespec-VERSION-win64.zip): unpacked into an empty folder, its
# pipespec.exe, started from another empty folder with no path, finds the scenarios
# beside itself and runs the whole catalogue clean under Wine; --version names that
# folder; the zip holds the reference programs, the docs and the report schema.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
fail() { echo "FAIL: package: $*" >&2; exit 1; }
version=$(sed -n 's/^project(pipespec VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"
name=pipespec-$version-win64
# the zip of the current build (a no-op when it is up to date)
cmake --build "$build/win" --target package >"$build/package.log" 2>&1 ||
  fail "cpack failed (see $build/package.log)"
zip=$build/win/$name.zip
[ -f "$zip" ] || fail "$zip was not made"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/unpacked" "$tmp/elsewhere"
python3 -m zipfile -e "$zip" "$tmp/unpacked" || fail "cannot unpack $zip"
root=$tmp/unpacked/$name
for f in pipespec.exe reference_server.exe reference_client.exe README.md \
         docs/report.schema.json docs/junit.xsd docs/CATALOGUE.md tests/expected/server_transcript.txt; do
  [ -f "$root/$f" ] || fail "$name.zip has no $f"
done
want=$(find "$src/scenarios" -name '*.case' | wc -l)
got=$(find "$root/scenarios" -name '*.case' | wc -l)
[ "$want" = "$got" ] || fail "the zip has $got case files, the repository $want"

cd "$tmp/elsewhere"
"$src/ci/wine" "$root/pipespec.exe" --version </dev/null >"$tmp/version.txt" 2>&1 || fail "--version failed"
tr -d '\r' <"$tmp/version.txt" >"$tmp/version"
cat "$tmp/version"
grep -q "^pipespec $version$" "$tmp/version" || fail "--version does not print 'pipespec $version'"
grep -q "^platform:  Wine " "$tmp/version" || fail "--version does not name the platform (Wine)"
grep -q "^scenarios: .*$name\\\\scenarios$" "$tmp/version" ||
  fail "--version does not show the scenarios beside pipespec.exe"

"$src/ci/wine" "$root/pipespec.exe" run --jobs 2 --no-progress --report-dir "$tmp/out" \
  </dev/null >"$tmp/run.out" 2>&1
rc=$?
tr -d '\r' <"$tmp/run.out" >"$tmp/run.txt"
grep -v "^PASS\|^XFAIL\|^SKIP\|^  " "$tmp/run.txt"
[ "$rc" = 0 ] || fail "the catalogue run from the unpacked zip exited $rc"
grep -q "^SUMMARY: $want cases: .* 0 FAIL, .* 0 XPASS, .* 0 TIMEOUT, 0 ERROR" "$tmp/run.txt" ||
  fail "not a clean run of all $want cases"
python3 "$src/tests/tools/validate_json.py" "$root/docs/report.schema.json" "$tmp/out/report.json" ||
  fail "report.json does not follow the zip's schema"
echo "ok: $name.zip unpacked elsewhere runs all $want cases clean"
