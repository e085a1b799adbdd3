#!/usr/bin/env bash
# Proof that the suites catch faults: runs the server suite against every fault of
# tests/programs/faulty_server.c and the client suite against every fault of
# faulty_client.c. A faulty program must be flagged (FAIL or TIMEOUT) on the case
# that targets its fault; the faithful ones (--fault none) and the reference programs
# must pass their whole suite. Prints "N of N faulty programs caught, 0 false alarms".
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
wine="$src/ci/wine"
bin="$build/win"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }

# fault -> the case that targets it
server_faults="byte-type:server.config one-instance:server.config wrong-dacl:server.security
speaks-first:server.silent-first no-more-data:server.request-64k no-nul:server.exchange
wrong-text:server.exchange split-response:server.exchange double-response:server.one-response
no-disconnect:server.one-response dies-on-leave:server.client-leaves hang:server.exchange
crash:server.exchange"
client_faults="read-only:client.request-bytes no-nul:client.request-bytes
double-request:client.request-bytes no-read-mode:client.response-64k
no-more-data:client.response-64k no-busy-retry:client.busy-retry
waits-forever:client.busy-gives-up exit-zero:client.no-server hang:client.request-bytes
crash:client.request-bytes"

# run NAME FLAG CMD: runs the suite for CMD; the outcome per case goes to $out/NAME.tsv
run() {
  local name=$1 flag=$2 cmd=$3
  "$wine" "$bin/pipespec.exe" run --jobs 2 --timeout 4000 --no-progress "$flag" "$cmd" \
    --report-dir "$out/$name" >"$out/$name.log" 2>&1
  echo $? >"$out/$name.rc"
  python3 - "$out/$name/report.json" >"$out/$name.tsv" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    print(c["id"] + "\t" + c["outcome"])
PY
}

outcome() { awk -F'\t' -v id="$2" '$1 == id { print $2 }' "$out/$1.tsv"; }

fails=0
undecidable=0
caught=0
total=0
alarms=0
check_faithful() { # NAME: every case PASS, XFAIL or SKIP, exit 0
  local name=$1
  if [ "$(cat "$out/$name.rc")" != 0 ] || grep -qvP '\t(PASS|XFAIL|SKIP)$' "$out/$name.tsv"; then
    echo "FALSE ALARM: $name does not pass its suite:"; grep -vP '\t(PASS|XFAIL|SKIP)$' "$out/$name.tsv"
    alarms=$((alarms + 1))
  else
    echo "faithful: $name passes ($(wc -l <"$out/$name.tsv") cases)"
  fi
}
check_faulty() { # NAME CASE
  local name=$1 case=$2 got
  got=$(outcome "$name" "$case")
  total=$((total + 1))
  # A DACL fault shows only in the effective access of other identities, which only the
  # platform may judge (AuthzAccessCheck): where it cannot answer (Wine), those steps are
  # SKIP with the reason and a labelled lint, so the fault is reported, not judged.
  if [ "$got" = PASS ] && python3 - "$out/$name/report.json" "$case" <<'PY'
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["cases"] if c["id"] == sys.argv[2]][0]
r = c.get("reason") or ""
sys.exit(0 if "cannot answer AuthzAccessCheck" in r and "lint, not a platform check" in r else 1)
PY
  then
    undecidable=$((undecidable + 1)); echo "not decidable here: $name by $case (the platform cannot answer AuthzAccessCheck; the lint is reported)"
    return
  fi
  case $got in
    FAIL|TIMEOUT) caught=$((caught + 1)); echo "caught: $name by $case ($got)";;
    *) echo "MISSED: $name: $case was '${got:-absent}'"; fails=$((fails + 1));;
  esac
}

run ref-server --server-cmd "$bin/reference_server.exe --pipe {pipe} --clients {clients}"
check_faithful ref-server
run ref-client --client-cmd "$bin/reference_client.exe --pipe {pipe}"
check_faithful ref-client
run server-none --server-cmd "$bin/faulty_server.exe --fault none --pipe {pipe} --clients {clients}"
check_faithful server-none
run client-none --client-cmd "$bin/faulty_client.exe --fault none --pipe {pipe}"
check_faithful client-none
# faithful variants (issue 10): the sample exactly (one client, then exit: the cases
# that need two clients are SKIP naming {clients}), a server that keeps several
# instances listening, a client that reads on until the server disconnects
run ref-server-one --server-cmd "$bin/reference_server.exe --pipe {pipe}"
check_faithful ref-server-one
run server-one --server-cmd "$bin/faulty_server.exe --fault none --pipe {pipe}"
check_faithful server-one
run server-several --server-cmd "$bin/faulty_server.exe --fault several-listening --pipe {pipe} --clients {clients}"
check_faithful server-several
run client-to-end --client-cmd "$bin/faulty_client.exe --fault reads-to-end --pipe {pipe}"
check_faithful client-to-end
for fc in $server_faults; do
  f=${fc%%:*}
  run "server-$f" --server-cmd "$bin/faulty_server.exe --fault $f --pipe {pipe} --clients {clients}"
  check_faulty "server-$f" "${fc#*:}"
done
for fc in $client_faults; do
  f=${fc%%:*}
  run "client-$f" --client-cmd "$bin/faulty_client.exe --fault $f --pipe {pipe}"
  check_faulty "client-$f" "${fc#*:}"
done
echo "$caught of $total faulty programs caught, $undecidable not decidable on this platform, $alarms false alarms"
[ "$fails" = 0 ] && [ "$alarms" = 0 ]
