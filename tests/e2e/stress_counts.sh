#!/usr/bin/env bash
# stress_counts: `pipespec stress` under Wine, clean runs (each a few seconds):
#   1. the builtin server with every client fault on: exit 0, and in stress.json the
#      counters add up (sent = verified + errors, operations = sent + faults) and agree
#      with the server's own counts; stress.html carries the plots as inline SVG;
#   2. the reference server (--clients 0, one instance at a time): exit 0, counters
#      add up, and the clients did meet ERROR_PIPE_BUSY (counted, not errors);
#   3. one-way streaming in byte mode: every message the clients wrote was verified by
#      the server;
#   4. a two-round scaling run: the scaling chart is in the page;
#   5. a bad option: usage, exit 2.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init stress_counts
PIPESPEC=$PIPESPEC_BUILD/win/pipespec.exe
[ -f "$PIPESPEC" ] || e2e_fail "$PIPESPEC is missing: build the Windows half"

# stress NAME ARGS...: one stress run (120 s limit); stdout in $E2E_TMP/NAME.txt.
stress() {
  local name=$1
  shift
  e2e_run "$name" 120 "$PIPESPEC" stress --no-progress "$@"
}

# json_check FILE PYTHON: runs PYTHON with d = the JSON document; it prints what is
# wrong (nothing when all is well).
json_check() {
  local file=$1 code=$2 out
  out=$(python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
def bad(msg): print(msg)
$code" "$file" 2>&1) || e2e_fail "checking $file: $out"
  [ -z "$out" ] || e2e_fail "$file: $out"
}

COUNTERS_ADD_UP='
for i, r in enumerate(d["rounds"]):
    c = r["counters"]
    if c["sent"] != c["verified"] + c["errors"]:
        bad("round %d: sent %d != verified %d + errors %d" % (i + 1, c["sent"], c["verified"], c["errors"]))
    if c["operations"] != c["sent"] + c["fault_mid_message"] + c["fault_connect_leave"]:
        bad("round %d: operations %d != sent + faults" % (i + 1, c["operations"]))
    if c["verified"] < 1:
        bad("round %d: nothing verified" % (i + 1))
    if r["latency_us"]["count"] != c["verified"]:
        bad("round %d: %d latencies for %d verified requests" % (i + 1, r["latency_us"]["count"], c["verified"]))
if d["verdict"] != "PASS":
    bad("verdict " + d["verdict"])
'

# 1. builtin server, all client faults
stress builtin --clients 4 --duration 2 --fault-mid-message 0.03 --fault-connect-leave 0.03 \
  --slow-reader 0.03 --slow-ms 2 --seed 11 --report-dir "$E2E_TMP/builtin"
e2e_expect_rc builtin 0
grep -q '^RESULT: PASS$' "$E2E_TMP/builtin.txt" || e2e_fail "builtin: no 'RESULT: PASS' line"
[ -f "$E2E_TMP/builtin/stress.json" ] || e2e_fail "builtin: no stress.json in the report folder"
json_check "$E2E_TMP/builtin/stress.json" "$COUNTERS_ADD_UP"'
r = d["rounds"][0]; c = r["counters"]; s = r["server"]
if s is None: bad("no server counts")
elif s["responses"] < c["verified"]: bad("server responses %d < verified %d" % (s["responses"], c["verified"]))
if c["fault_mid_message"] < 1 or c["fault_connect_leave"] < 1 or c["slow_reads"] < 1:
    bad("the faults did not happen: %r" % c)
if s and s["client_left"] < 1: bad("the server never saw a client leave")
for p in ("p50", "p90", "p99", "p99.9", "max"):
    if not r["latency_us"][p] > 0: bad("latency %s missing" % p)
if not (r["latency_us"]["p50"] <= r["latency_us"]["p99"] <= r["latency_us"]["max"]): bad("percentiles out of order")
'
for id in plot-latency-time-1 plot-throughput-time-1 plot-histogram-1 plot-memory; do
  grep -q "<svg id=\"$id\"" "$E2E_TMP/builtin/stress.html" || e2e_fail "builtin: stress.html has no $id plot"
done
e2e_note "builtin: $(grep '^ROUND 1' "$E2E_TMP/builtin.txt")"

# 2. the reference server
stress reference --server reference --clients 4 --duration 2 --json
e2e_expect_rc reference 0
json_check "$E2E_TMP/reference.txt" "$COUNTERS_ADD_UP"'
c = d["rounds"][0]["counters"]
if c["busy_rejections"] < 1: bad("4 clients of a one-instance server never saw ERROR_PIPE_BUSY")
if d["config"]["protocol"] != "sample" or d["config"]["connection"] != "churn": bad("config %r" % d["config"])
if d["server_process"]["end"]["private_bytes"] is None: bad("the server process was not measured")
'
e2e_note "reference: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["rounds"][0]; print(round(r["requests_per_s"]), "req/s,", r["counters"]["busy_rejections"], "busy rejections")' "$E2E_TMP/reference.txt")"

# 3. streaming, byte mode: the server verified every message written
stress stream --clients 3 --mode stream --type byte --size 16..20000 --duration 1 --json
e2e_expect_rc stream 0
json_check "$E2E_TMP/stream.txt" "$COUNTERS_ADD_UP"'
r = d["rounds"][0]
if r["server"]["requests"] != r["counters"]["verified"]:
    bad("the server verified %d messages, the clients wrote %d" % (r["server"]["requests"], r["counters"]["verified"]))
'

# 4. two rounds: the scaling chart
stress scale --scale 1,4 --duration 0.5 --report-dir "$E2E_TMP/scale"
e2e_expect_rc scale 0
grep -q '<svg id="plot-scaling"' "$E2E_TMP/scale/stress.html" || e2e_fail "scale: no scaling chart in stress.html"
[ "$(grep -c '^SCALING: ' "$E2E_TMP/scale.txt")" = 3 ] || e2e_fail "scale: expected a header and 2 SCALING rows"

# 5. usage
stress usage --clients 0
e2e_expect_rc usage 2
grep -q "clients" "$E2E_TMP/usage.err" || e2e_fail "usage: the error does not name --clients"

e2e_pass "clean runs pass and their counters add up"
