#!/usr/bin/env bash
# The engine end to end under Wine: a handful of real cases (one passing, one failing,
# a recorded divergence that happens and one that does not, a skip, a hang and a
# crash) checked for outcomes, exit codes and all four reports; malformed files,
# an empty selection and a bad flag checked for their exit codes and messages.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
cases="$src/tests/e2e/engine_cases"
ps() { "$src/ci/wine" "$build/win/pipespec.exe" "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0
check() { # DESCRIPTION CONDITION...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }

# 1. a run with every outcome, and its reports
ps run --jobs 2 --no-progress --report-dir "$out/r" "$cases/good" >"$out/console.txt" 2>&1
rc=$?
cat "$out/console.txt"
check "exit status 1 when a case fails" [ "$rc" = 1 ]
outcome() { python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c["id"] == sys.argv[2]: print(c["outcome"])' "$out/r/report.json" "$1"; }
for pair in pass:PASS fail:FAIL xfail:XFAIL xpass:XPASS skip:SKIP hang:TIMEOUT crash:ERROR; do
  check "engine.${pair%%:*} is ${pair#*:}" [ "$(outcome "engine.${pair%%:*}")" = "${pair#*:}" ]
done
check "the failure names file:line, the call, expected and actual" \
  grep -q "fail.case:6: client A open: expected ERROR_PIPE_BUSY (231), got ok" "$out/console.txt"
check "the timeout names the step it hung on" grep -q "hang.case:.*hung on line 7: server S connect" "$out/console.txt"
check "the crash gives its exception code" grep -q "crashed with exception 0xC0000005" "$out/console.txt"
check "the skip gives its reason" python3 -c 'import json,sys
c=[c for c in json.load(open(sys.argv[1]))["cases"] if c["id"]=="engine.skip"][0]
sys.exit(0 if "second machine" in c["reason"] else 1)' "$out/r/report.json"
check "summary line" grep -q "^SUMMARY: 7 cases: 1 PASS, 1 FAIL, 1 XFAIL, 1 XPASS, 1 SKIP, 1 TIMEOUT, 1 ERROR" "$out/console.txt"
check "closing line for CI" grep -qx "2 passed, 4 failed, 1 skipped" "$out/console.txt"
check "report.json matches docs/report.schema.json" \
  python3 tests/tools/validate_json.py docs/report.schema.json "$out/r/report.json"
check "report.json has the platform and a trace for every case" python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
assert r["platform"].startswith("Wine") or r["platform"].startswith("Windows")
assert all(isinstance(c["trace"], list) for c in r["cases"])
assert any(len(c["trace"]) >= 6 for c in r["cases"] if c["id"]=="engine.pass")' "$out/r/report.json"
check "junit.xml is valid against docs/junit.xsd" xmllint --noout --schema docs/junit.xsd "$out/r/junit.xml"
check "junit.xml: every testcase has name and classname" python3 -c 'import sys,xml.etree.ElementTree as E
t=E.parse(sys.argv[1]).getroot(); tc=t.iter("testcase"); n=0
for c in tc:
    n+=1; assert c.get("name") and c.get("classname")
assert n==7' "$out/r/junit.xml"
check "report.tap is TAP 14 with SKIP and TODO directives" \
  bash -c 'head -1 "$1" | grep -qx "TAP version 14" && grep -q "^1\.\.7$" "$1" && grep -q "# SKIP" "$1" && grep -q "# TODO" "$1"' _ "$out/r/report.tap"
check "report.html is one self-contained page" bash -c '! grep -Eq "(src|href)=\"(https?:|//)" "$1"' _ "$out/r/report.html"
if command -v chromium >/dev/null; then
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/chrome" --enable-logging=stderr --v=0 \
    --dump-dom "file://$out/r/report.html" >"$out/dom.html" 2>"$out/chrome.log"
  check "chromium renders the page with the right counts" python3 -c 'import re,sys
d=open(sys.argv[1]).read()
for k,v in [("PASS",1),("FAIL",1),("XFAIL",1),("XPASS",1),("SKIP",1),("TIMEOUT",1),("ERROR",1),("total",7)]:
    m=re.search(r"id=\"count-%s\">(\d+)<" % k, d)
    assert m and int(m.group(1))==v, (k, m and m.group(1))' "$out/dom.html"
  check "no console errors in chromium" bash -c '! grep -Ei "CONSOLE.*(error|uncaught)|Uncaught" "$1"' _ "$out/chrome.log"
else
  echo "FAIL: chromium is not installed (ci/bootstrap installs it for ci/test)"; fails=$((fails + 1))
fi

# 2. --strict: the recorded divergence is a failure
ps run --strict --no-progress "$cases/good/xfail.case" >"$out/strict.txt" 2>&1
check "--strict turns XFAIL into FAIL (exit 1)" bash -c '[ "$1" = 1 ] && grep -q "^FAIL .*engine.xfail" "$2"' _ $? "$out/strict.txt"

# 3. malformed files: every error with file:line:column, nothing runs, exit 2
ps run --no-progress --report-dir "$out/bad" "$cases/good/pass.case" "$cases/bad" >"$out/bad.txt" 2>&1
rc=$?
cat "$out/bad.txt"
check "malformed files exit 2" [ "$rc" = 2 ]
check "the errors name file:line:column" bash -c 'grep -q "malformed.case:4:17: error: found .lots. for instances" "$1" &&
  grep -q "malformed.case:5:10: error: found .opne." "$1" && grep -q "also-bad.case:4:25: error: found .ERROR_NOT_A_THING." "$1"' _ "$out/bad.txt"
check "nothing ran" bash -c '! grep -q "^PASS" "$1" && [ ! -e "$2/report.json" ]' _ "$out/bad.txt" "$out/bad"

# 4. an empty selection exits 3; a bad flag exits 2 with the usage
ps run --no-progress --select 'no-such-*' "$cases/good" >/dev/null 2>&1
check "an empty selection exits 3" [ $? = 3 ]
ps --bogus >"$out/usage.txt" 2>&1
check "a bad flag exits 2" [ $? = 2 ]
check "a bad flag prints the usage" grep -q "^usage: pipespec" "$out/usage.txt"

# 5. list, list --json, --repeat
ps list --json "$cases/good" >"$out/list.json"
check "list --json lists the 7 cases without running them" python3 -c 'import json,sys
assert len(json.load(open(sys.argv[1])))==7' "$out/list.json"
ps run --no-progress --repeat 3 "$cases/good/pass.case" >"$out/repeat.txt" 2>&1
check "--repeat 3 runs the case 3 times" grep -q "^SUMMARY: 3 cases: 3 PASS" "$out/repeat.txt"

echo "$fails check(s) failed"
[ "$fails" = 0 ]
