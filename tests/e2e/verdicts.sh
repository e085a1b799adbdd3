#!/usr/bin/env bash
# Verdicts that a user can stake a bug report on (issue 9): what the harness itself
# cannot do is ERROR "harness: ...", never a platform result or a match of `-> fail`;
# overlapped calls keep their buffers; values the executor cannot hold are parse
# errors; probes are done before the workers ask; `pending` catches a late waiter.
# Each check below fails on the code before that issue.
. "$(dirname "$0")/checks.bash"
cases="$src/tests/e2e/verdict_cases"
field() { # CASE-ID FIELD: from the last run's report.json
  python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c["id"] == sys.argv[2]: print(c.get(sys.argv[3]) or "")' "$out/r/report.json" "$1" "$2"
}

ps run --jobs 2 --no-progress --report-dir "$out/r" "$cases/run" >"$out/console.txt" 2>&1
cat "$out/console.txt"
check "result without an overlapped call: ERROR, harness:" \
  bash -c '[ "$1" = ERROR ] && [[ "$2" == harness:* ]]' _ "$(field verdict.harness-result outcome)" "$(field verdict.harness-result reason)"
check "two pending overlapped reads on one actor: each checked, PASS" [ "$(field verdict.two-reads outcome)" = PASS ]
check "a line that never appears: FAIL with PS_NO_LINE, not accepted by -> fail" \
  bash -c '[ "$1" = FAIL ] && [[ "$2" == *PS_NO_LINE* ]]' _ "$(field verdict.no-line outcome)" "$(field verdict.no-line reason)"
check "the waiter was proven blocked before the wake-up: PASS" [ "$(field verdict.late-waiter outcome)" = PASS ]
check "audit of a pipe with no security descriptor: PASS (not ERROR_INVALID_SECURITY_DESCR)" [ "$(field verdict.audit-no-sd outcome)" = PASS ]

# a server command without {clients}: SKIP naming {clients}, not a made-up error
ps run --no-progress --report-dir "$out/r" --server-cmd '"{bin}\reference_server.exe" --pipe {pipe}' \
  "$cases/run/clients-placeholder.case" >"$out/clients.txt" 2>&1
rc=$?
cat "$out/clients.txt"
check "serve clients=2 without {clients}: SKIP naming {clients}, exit 0" \
  bash -c '[ "$1" = 0 ] && [ "$2" = SKIP ] && [[ "$3" == *"{clients}"* ]]' _ "$rc" \
  "$(field verdict.clients-placeholder outcome)" "$(field verdict.clients-placeholder reason)"

# a waiter that starts 3 s late: pending says the harness did not get it blocked
PIPESPEC_TEST_BG_DELAY_MS=3000 ps run --no-progress --report-dir "$out/r" "$cases/run/late-waiter.case" >"$out/late.txt" 2>&1
cat "$out/late.txt"
check "a waiter that never got blocked in time: ERROR harness:, not PASS" \
  bash -c '[ "$1" = ERROR ] && [[ "$2" == "harness: "*"did not reach its call"* ]]' _ \
  "$(field verdict.late-waiter outcome)" "$(field verdict.late-waiter reason)"
# a waiter 300 ms late: pending waits for it to block, the case still proves the wake-up
PIPESPEC_TEST_BG_DELAY_MS=300 ps run --no-progress --report-dir "$out/r" "$cases/run/late-waiter.case" >"$out/late2.txt" 2>&1
check "a waiter 300 ms late is waited for: PASS" [ "$(field verdict.late-waiter outcome)" = PASS ]

# values the executor could not hold: parse errors, nothing runs
ps run --no-progress "$cases/bad" >"$out/bad.txt" 2>&1
rc=$?
cat "$out/bad.txt"
check "limits: exit 2 with file:line:col for each" bash -c '[ "$1" = 2 ] &&
grep -q "limits.case:6:15: error: found .4294967296. for size" "$2" &&
grep -q "limits.case:7:15: error: found .010k0. for size" "$2" &&
grep -q "limits.case:8:1: error: found a background step on .S. that is never awaited" "$2"' _ "$rc" "$out/bad.txt"

# slow requirement probes with parallel workers: every SKIP has its reason
PIPESPEC_TEST_PROBE_DELAY_MS=300 ps run --no-progress --jobs 4 --host localhost --report-dir "$out/r" \
  scenarios/server-suite >"$out/probe.txt" 2>&1
rc=$?
check "slow --host probe, 4 workers: exit 0, every case SKIP with the same non-empty reason" python3 -c 'import json,sys
cases=json.load(open(sys.argv[1]))["cases"]
reasons={c["reason"] for c in cases}
assert all(c["outcome"]=="SKIP" for c in cases), [c["outcome"] for c in cases]
assert len(reasons)==1 and all(reasons), reasons' "$out/r/report.json"
check "  (exit status 0)" [ "$rc" = 0 ]

checks_done
