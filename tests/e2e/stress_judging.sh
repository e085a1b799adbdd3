#!/usr/bin/env bash
# stress_judging: `pipespec stress` judges a server under test fairly (issue 10, items
# 3, 9 and 10). The servers are the project's own test programs (tests/programs/):
#   1. stress_server --fault warmup grows by 10 MiB and 64 handles over its first 2000 requests and
#      then stays flat (as a server on a garbage-collected runtime warming up): a
#      6000-request run passes, leak-memory-server and leak-handles-server included,
#      although the server grew by far more than the bounds from start (or from 10 %
#      into the load) to end: a leak is growth that goes on with the work;
#   2. byte_server (the sample's server with a byte-type pipe) loaded in message mode:
#      every request fails at SetNamedPipeHandleState, and the summary says so (the
#      errors, the progress check and the incident name that call, not CreateFile;
#      the incident says the pipe is byte-type); integrity is N/A, not PASS, since
#      nothing was verified; the connections made are counted;
#   3. the same server loaded with --type byte: passes, integrity counts what it
#      verified (the control of 2);
#   4. stress_server --spin 800 (800 ms of its own CPU time before it serves): the
#      server's CPU time is either n/a with the reason, or at least 800 ms and not
#      the harness's own (under Wine, GetProcessTimes on another process answers the
#      caller's own times).
# The leaking server of tests/e2e/stress_faults.sh is still caught (that test).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init stress_judging
PIPESPEC=$PIPESPEC_BUILD/win/pipespec.exe
BYTE=$PIPESPEC_BUILD/win/byte_server.exe
SPIN=$PIPESPEC_BUILD/win/stress_server.exe
for f in "$PIPESPEC" "$BYTE" "$SPIN"; do
  [ -f "$f" ] || e2e_fail "$f is missing: build the Windows half"
done

# stress NAME ARGS...: one stress run (180 s limit); stdout in $E2E_TMP/NAME.txt.
stress() {
  local name=$1
  shift
  e2e_run "$name" 180 "$PIPESPEC" stress --no-progress "$@"
}

# has NAME REGEX WHY: a line of NAME's output (stdout, or stderr with --json) matches.
has() {
  cat "$E2E_TMP/$1.txt" "$E2E_TMP/$1.err" | tr -d '\r' | grep -qE -- "$2" || {
    e2e_dump "$1"
    e2e_fail "$1: $3"
  }
}
hasnt() {
  if cat "$E2E_TMP/$1.txt" "$E2E_TMP/$1.err" | tr -d '\r' | grep -qE -- "$2"; then
    e2e_dump "$1"
    e2e_fail "$1: $3"
  fi
}

# 1. early growth, then flat: not a leak (paced, so the load's later half has samples
#    whatever the machine's speed)
stress warmup --clients 4 --requests 6000 --rate 1500 --json \
  --server-cmd "$SPIN --pipe {pipe} --clients {clients} --fault warmup=2000"
e2e_expect_rc warmup 0
has warmup '^CHECK leak-memory-server: PASS ' "the server's early growth was judged a leak (or not judged)"
has warmup '^CHECK leak-handles-server: PASS ' "the server's early handles were judged a leak (or not judged)"
python3 - "$E2E_TMP/warmup.txt" <<'PY' || { e2e_dump warmup; e2e_fail "warmup: see above"; }
import json, sys
d = json.load(open(sys.argv[1]))
s = d["server_process"]
grew = s["end"]["private_bytes"] - s["start"]["private_bytes"]
handles = s["end"]["handles"] - s["start"]["handles"]
# the test is not vacuous: the server did grow by more than the bounds (4 MiB, 32)
if grew < 8 << 20: print("warmup: the server grew by only %d bytes: no warm-up to judge" % grew); sys.exit(1)
if handles < 60: print("warmup: the server's handles grew by only %d" % handles); sys.exit(1)
print("warmup: the server grew by %.1f MiB and %d handles, early; %s" % (grew / 1048576, handles,
      [c["detail"] for c in d["checks"] if c["name"] == "leak-memory-server"][0]))
PY

# 2. a byte-type server loaded in message mode: the failing call is named, nothing passes vacuously
stress bytepipe --clients 4 --duration 2 --server-cmd "$BYTE --pipe {pipe} --clients {clients}"
e2e_expect_rc bytepipe 1
has bytepipe '^ERRORS: SetNamedPipeHandleState: ERROR_INVALID_PARAMETER \(87\)=[0-9]+$' \
  "the errors are not counted under SetNamedPipeHandleState"
has bytepipe '^INCIDENT: .*SetNamedPipeHandleState failed: ERROR_INVALID_PARAMETER \(87\).*byte-type' \
  "no incident names SetNamedPipeHandleState and the byte-type pipe"
hasnt bytepipe 'CreateFile' "CreateFile is blamed for what SetNamedPipeHandleState did"
has bytepipe '^CHECK integrity: N/A nothing to verify' "integrity is not N/A with nothing verified"
hasnt bytepipe '^CHECK integrity: PASS' "integrity passes with nothing verified"
has bytepipe '^CHECK progress: FAIL .*failed with SetNamedPipeHandleState' "the progress check does not name the cause"
has bytepipe '^BUSY: .* connects=[1-9]' "the connections made are not counted"
e2e_note "bytepipe: $(grep '^CHECK progress' "$E2E_TMP/bytepipe.txt")"

# 3. the same server in byte mode: served, and integrity says how much it verified
stress bytemode --type byte --clients 4 --duration 2 --server-cmd "$BYTE --pipe {pipe} --clients {clients}"
e2e_expect_rc bytemode 0
has bytemode '^CHECK integrity: PASS [1-9][0-9]* responses verified byte for byte' "integrity does not count what it verified"

# 4. the server's CPU time: right, or n/a with the reason; never the harness's own
stress cpu --clients 1 --rate 20 --duration 1 --json \
  --server-cmd "$SPIN --pipe {pipe} --clients {clients} --spin 800"
e2e_expect_rc cpu 0
python3 - "$E2E_TMP/cpu.txt" <<'PY' || { e2e_dump cpu; e2e_fail "cpu: see above"; }
import json, sys
d = json.load(open(sys.argv[1]))
s, h = d["server_process"], d["harness"]["cpu_ms"]
if s["cpu_ms"] is None:
    if not s["cpu_note"]: print("cpu: the server's CPU time is n/a without a reason"); sys.exit(1)
    print("cpu: n/a:", s["cpu_note"])
else:
    if s["cpu_ms"] < 800: print("cpu: the server used at least 800 ms, stress says %.0f ms (the harness used %.0f)" % (s["cpu_ms"], h)); sys.exit(1)
    if s["cpu_ms"] == h: print("cpu: the server's CPU time equals the harness's (%.0f ms)" % h); sys.exit(1)
    print("cpu: server %.0f ms (it spun 800 ms), harness %.0f ms; %s" % (s["cpu_ms"], h, s["cpu_note"] or "GetProcessTimes"))
PY

e2e_pass "early growth is not a leak; the failing call is named and nothing passes vacuously; the server's CPU time is its own"
