#!/usr/bin/env bash
# stress_faults: `pipespec stress` catches a faulty server under test, and does not
# cry wolf. The server is tests/programs/stress_server.c (the sample's protocol,
# several instances), started by stress with --server-cmd:
#   1. --fault none: exit 0 (the control: the checks raise no false alarm);
#   2. --fault leak (an event and 64 KiB per request, never freed): exit 1, the
#      summary names leak-memory-server and leak-handles-server (6 s at 100 requests a
#      second: under Wine 8 the server's handles are counted one value at a time, given
#      at most a fifth of the time, so the samples a run gets fall as the leak's rate
#      rises, whatever its length; at 100 a second a count takes some 20 ms);
#   3. --fault corrupt=40 (one byte of every 40th response flipped): exit 1, the
#      summary names integrity, the errors list DATA_MISMATCH and an incident shows
#      the byte;
#   4. --fault exit=300 (the server dies): exit 1, the summary names server;
#   5. a correct server restarted every 400 requests: exit 0, the errors the restarts
#      cause are all counted as expected.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init stress_faults
PIPESPEC=$PIPESPEC_BUILD/win/pipespec.exe
SERVER=$PIPESPEC_BUILD/win/stress_server.exe
for f in "$PIPESPEC" "$SERVER"; do
  [ -f "$f" ] || e2e_fail "$f is missing: build the Windows half"
done

# against NAME FAULT [ARGS...]: a 2-second run against stress_server --fault FAULT.
against() {
  local name=$1 fault=$2
  shift 2
  e2e_run "$name" 120 "$PIPESPEC" stress --no-progress --clients 4 --duration 2 \
    --server-cmd "$SERVER --pipe {pipe} --clients {clients} --fault $fault" "$@"
}

# result_names NAME CHECK...: exit 1 and a RESULT line naming every CHECK.
result_names() {
  local name=$1 line check
  shift
  e2e_expect_rc "$name" 1
  line=$(grep '^RESULT: ' "$E2E_TMP/$name.txt") || e2e_fail "$name: no RESULT line"
  for check in "$@"; do
    case "$line" in
      *"$check"*) ;;
      *) e2e_dump "$name"; e2e_fail "$name: '$line' does not name $check" ;;
    esac
  done
  e2e_note "$name: $line"
}

against clean none
e2e_expect_rc clean 0
grep -q '^RESULT: PASS$' "$E2E_TMP/clean.txt" || e2e_fail "clean: no 'RESULT: PASS' line"
grep -q '^CHECK leak-memory-server: PASS' "$E2E_TMP/clean.txt" || e2e_fail "clean: the server's memory was not checked"

against leak leak --duration 6 --rate 100
result_names leak leak-memory-server leak-handles-server
grep -q '^CHECK integrity: PASS' "$E2E_TMP/leak.txt" || e2e_fail "leak: integrity should still pass"

against corrupt corrupt=40
result_names corrupt integrity
grep -q '^ERRORS: .*DATA_MISMATCH=' "$E2E_TMP/corrupt.txt" || e2e_fail "corrupt: no DATA_MISMATCH in the ERRORS line"
grep -q '^INCIDENT: .*byte 10 is 0x6d, expected 0x6c' "$E2E_TMP/corrupt.txt" ||
  e2e_fail "corrupt: no incident naming the flipped byte"

against dies exit=300
result_names dies server
grep -q '^CHECK server: FAIL the server exited with code 3' "$E2E_TMP/dies.txt" || e2e_fail "dies: the exit code is not reported"

against restarts none --restart-every 400 --json
e2e_expect_rc restarts 0
python3 - "$E2E_TMP/restarts.txt" <<'PY' || e2e_fail "restarts: see above"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["rounds"][0]["counters"]
problems = []
if d["server_process"]["restarts"] < 1: problems.append("no restart happened")
if c["sent"] != c["verified"] + c["errors"]: problems.append("counters do not add up: %r" % c)
if c["errors"] != c["errors_expected"]: problems.append("unexpected errors: %r" % d["rounds"][0]["errors"])
for p in problems: print("restarts:", p)
sys.exit(1 if problems else 0)
PY
e2e_note "restarts: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["rounds"][0]["counters"]; print(d["server_process"]["restarts"], "restarts,", c["errors"], "expected errors of", c["sent"], "requests")' "$E2E_TMP/restarts.txt")"

e2e_pass "a leak, corruption and a dying server are caught; a clean and a restarted server pass"
