#!/usr/bin/env bash
# --server-pipe (a server that is already running) and --host (remote names) end to
# end: the server suite passes against a running reference server; with --host and no
# network redirector (Wine), every case is SKIP with the reason, not a wall of failures.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
cd "$src" || { echo "FAIL: cannot cd to $src"; exit 1; }
out=$(mktemp -d) || { echo "FAIL: mktemp"; exit 1; }
server=
trap '[ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }; rm -rf "$out"' EXIT
pipe="pipespec-running-$$"
"$src/ci/wine" "$build/win/reference_server.exe" --pipe "$pipe" --clients 0 </dev/null >"$out/server.txt" 2>&1 &
server=$!
ready=0
for _ in $(seq 200); do grep -q "Waiting for the client" "$out/server.txt" && { ready=1; break; }; sleep 0.05; done
if [ "$ready" = 0 ]; then
  cat "$out/server.txt"; echo "FAIL: the reference server did not start within 10 s"; exit 1
fi
fails=0
"$src/ci/wine" "$build/win/pipespec.exe" run --no-progress --server-pipe "$pipe" >"$out/run.txt" 2>&1
rc=$?
cat "$out/run.txt"
# however many cases the suite has: none FAIL, XPASS, TIMEOUT or ERROR, and at least one PASS
if [ "$rc" = 0 ] && grep -Eq "^SUMMARY: [0-9]+ cases: [1-9][0-9]* PASS, 0 FAIL, [0-9]+ XFAIL, 0 XPASS, [0-9]+ SKIP, 0 TIMEOUT, 0 ERROR" "$out/run.txt"; then
  echo "ok: the server suite passes against a running reference server (--server-pipe)"
else
  echo "FAIL: --server-pipe run (exit $rc)"; fails=$((fails + 1))
fi
"$src/ci/wine" "$build/win/pipespec.exe" run --no-progress --host pipespec-no-such-host \
  --select 'server.*' >"$out/host.txt" 2>&1
rc=$?
n=$(grep -c "^SKIP " "$out/host.txt")
if [ "$rc" = 0 ] && [ "$n" -gt 0 ] && grep -q "^SUMMARY: $n cases: 0 PASS, 0 FAIL, 0 XFAIL, 0 XPASS, $n SKIP" "$out/host.txt" &&
   grep -q "cannot reach .*pipespec-no-such-host" "$out/host.txt"; then
  echo "ok: --host without a reachable redirector: every case SKIP with the reason"
else
  cat "$out/host.txt"; echo "FAIL: --host run (exit $rc)"; fails=$((fails + 1))
fi
[ "$fails" = 0 ]
