#!/usr/bin/env bash
# `pipespec reduce` shrinks a padded case to the divergence alone: the case is a real
# Wine 8.0 divergence (scenarios/overlapped/cancel-pending-read.case: CancelIoEx with
# nothing pending returns TRUE instead of ERROR_NOT_FOUND) with ten unrelated steps of
# two other actors mixed in (tests/e2e/reduce_cases/padded-cancel.case). The reduced case
# must keep the diverging step, lose every padding step and actor, keep at most the two
# steps that give the step its handle, still be XFAIL on that step when run, and turn
# into a C program (repro) that shows the same divergence.
. "$(dirname "$0")/checks.bash" # src, build, out (scratch), cd "$src"
exe="$build/win/pipespec.exe"
padded=tests/e2e/reduce_cases/padded-cancel.case
fails=0
fail() { echo "FAIL: reduce_padded: $*"; fails=1; }

timeout 600 "$src/ci/wine" "$exe" reduce "$padded" --budget 300 --out "$out/reduced.case" >"$out/reduce.txt" 2>&1
rc=$?
cat "$out/reduce.txt" | grep -v "^removed line" | tr -d '\r'
[ "$rc" = 0 ] || fail "reduce exited $rc"
steps=$(grep -cE '^[[:space:]]*(server|client|proc|await|pending|sleep)[[:space:]]' "$out/reduced.case")
echo "reduced case ($steps steps):"; sed 's/^/  /' "$out/reduced.case"
grep -q '^client C cancel .*-> ERROR_NOT_FOUND  wine <10.0: ok' "$out/reduced.case" || fail "the diverging step is gone"
[ "$steps" -le 3 ] || fail "$steps steps left, expected at most 3 (the divergence and its handle)"
grep -qE '^(server|client) (P|Q) ' "$out/reduced.case" && fail "a padding actor is left"
removed=$(grep -c '^removed line' "$out/reduce.txt")
[ "$removed" -ge 17 ] || fail "it reported $removed removed steps, expected at least 17 of 20"
# the reduced case still diverges the same way, in the harness and as a C program
"$src/ci/wine" "$exe" run --jobs 1 --no-progress "$out/reduced.case" >"$out/run.txt" 2>&1
grep -q "^XFAIL .*reduce.padded-cancel-reduced" "$out/run.txt" || { fail "the reduced case is not XFAIL"; cat "$out/run.txt"; }
"$src/ci/wine" "$exe" repro "$out/reduced.case" --out "$out/repro.c" 2>/dev/null || fail "repro of the reduced case failed"
x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -o "$out/repro.exe" "$out/repro.c" || fail "its repro does not compile"
"$src/ci/wine" "$out/repro.exe" >"$out/repro.txt" 2>&1
rc=$?
tr -d '\r' <"$out/repro.txt" | grep "verdict:" | sed 's/^/  repro /'
[ "$rc" = 1 ] && grep -q "verdict:  line [0-9]* xfail: expected ERROR_NOT_FOUND (1168), got ok" "$out/repro.txt" \
  || fail "the reduced case's repro does not show the divergence (exit $rc)"
[ "$fails" = 0 ] && echo "ok: reduce shrank 20 steps to $steps, the divergence alone"
[ "$fails" = 0 ]
