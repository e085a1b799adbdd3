#!/usr/bin/env bash
# `pipespec repro --style winetest`: every exportable case, written as a test function in
# the conventions of Wine's conformance tests, compiles against this project's stand-in
# for Wine's test.h (tests/tools/winetest/wine/test.h) with -std=c11 -Wall -Wextra
# -Werror, and has one ok() per step (pipe and program steps, and `pending`) and one
# todo_wine per `wine:` line of the case. The cases with `wine:` lines are run under
# Wine: every check runs, each recorded divergence is a "todo", and nothing fails.
. "$(dirname "$0")/checks.bash" # src, build, out (scratch), cd "$src"
exe="$build/win/pipespec.exe"
fails=0
n=0
for f in $(find scenarios -name '*.case' | sort); do
  id=$(awk '$1=="case"{print $2; exit}' "$f")
  fn=test_$(echo "$id" | tr -c 'A-Za-z0-9\n' '_')
  "$src/ci/wine" "$exe" repro "$f" --style winetest --out "$out/$id.c" >/dev/null 2>"$out/$id.err"
  rc=$?
  if [ "$rc" = 2 ] && grep -q "cannot be exported" "$out/$id.err"; then continue; fi
  [ "$rc" = 0 ] || { echo "FAIL: repro --style winetest $f exited $rc"; fails=1; continue; }
  n=$((n + 1))
  # the counts, from the case file itself
  steps=$(grep -cE '^[[:space:]]*(server|client|proc|pending)[[:space:]]' "$f")
  wines=$(grep -cE ' wine ?[<>=0-9.,]*: ' "$f")
  oks=$(grep -cE '^[[:space:]]*(todo_wine )?ok\(' "$out/$id.c")
  todos=$(grep -cE '^[[:space:]]*todo_wine ok\(' "$out/$id.c")
  [ "$oks" = "$steps" ] || { echo "FAIL: $id: $oks ok() for $steps steps"; fails=1; }
  [ "$todos" = "$wines" ] || { echo "FAIL: $id: $todos todo_wine for $wines wine: lines"; fails=1; }
  printf '#include "wine/test.h"\n#include "%s.c"\nSTART_TEST(repro)\n{\n    %s();\n}\n' "$id" "$fn" >"$out/$id.main.c"
  echo "$id $wines" >>"$out/list.txt"
done
echo "$n cases written in the winetest style"
# (the cases run below are compiled and linked; the others only compiled, which is
# where every warning of -Wall -Wextra comes from, and faster)
xargs -P 2 -L 1 sh -c '
  if [ "$2" = 0 ]; then what="-fsyntax-only"; else what="-o '"$out"'/$1.exe"; fi
  x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -I "'"$src"'/tests/tools/winetest" \
    $what "'"$out"'/$1.main.c" 2>"'"$out"'/$1.cc.txt" || echo "FAIL: does not compile against the test.h stand-in: $1"' _ \
  <"$out/list.txt" | tee "$out/compile.txt"
grep -q FAIL "$out/compile.txt" && { cat "$out"/*.cc.txt | head -30; fails=1; }
# the cases with recorded divergences, under Wine
ran=0
while read -r id wines; do
  [ "$wines" != 0 ] && [ -f "$out/$id.exe" ] || continue
  PIPESPEC_BIN="Z:$(echo "$build/win" | tr / '\\')" timeout 120 "$src/ci/wine" "$out/$id.exe" >"$out/$id.out" 2>&1
  rc=$?
  summary=$(grep "tests executed" "$out/$id.out" | tr -d '\r')
  steps=$(grep -cE '^[[:space:]]*(server|client|proc|pending)[[:space:]]' "$(grep -rl "^case[[:space:]]*$id\$" scenarios)")
  want="repro: $steps tests executed ($wines marked as todo, 0 failures), 0 skipped."
  if [ "$rc" != 0 ] || [ "$summary" != "$want" ]; then
    echo "FAIL: $id under Wine: exit $rc, \"$summary\", expected \"$want\""
    grep "Test" "$out/$id.out" | head -5
    fails=1
  fi
  ran=$((ran + 1))
done <"$out/list.txt"
echo "ran $ran of them under Wine"
[ "$fails" = 0 ] && echo "ok: the winetest-style output compiles and has one ok() per step, one todo_wine per wine: line"
[ "$fails" = 0 ]
