#!/usr/bin/env bash
# build/pipespec, the launcher (ci/pipespec.in): the Windows program under Wine in the
# build's prefix, with standard input, output and exit codes passed through, working
# piped and captured, and SIGTERM / SIGINT passed on (exit 128 + signal, nothing left
# running).
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
ps=$build/pipespec
fail() { echo "FAIL: launcher: $*" >&2; exit 1; }
# running TEXT: a process whose command line contains TEXT exists (/proc: no procps needed)
running() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$1" && return 0
  done
  return 1
}
ok() { echo "ok: $*"; }
[ -x "$ps" ] || fail "$ps is missing or not executable (configure the build: ci/build)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-launcher.XXXXXX")
bg=
trap '[ -n "$bg" ] && kill -TERM "$bg" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"  # from any folder: the launcher needs no particular working directory

# captured: the version, the platform and where the scenarios are
v=$("$ps" --version </dev/null | tr -d '\r') || fail "--version exited $?"
grep -q "^pipespec [0-9]" <<<"$v" || fail "--version printed: $v"
grep -q "^platform:  Wine [0-9]" <<<"$v" || fail "--version names no Wine version: $v"
grep -q "^scenarios: [A-Z]:\\\\.*scenarios$" <<<"$v" || fail "--version shows no scenarios folder: $v"
ok "captured: $(head -1 <<<"$v"), $(sed -n 2p <<<"$v")"

# exit codes: usage error 2, a selection that matches nothing 3, a failing case 1
"$ps" --no-such-flag </dev/null >/dev/null 2>"$tmp/usage.err"
rc=$?; [ "$rc" = 2 ] || fail "a bad flag exited $rc, expected 2"
grep -q "unknown option '--no-such-flag'" "$tmp/usage.err" || fail "the usage error is not on stderr"
"$ps" list --select 'no.such.case*' </dev/null >/dev/null 2>&1
rc=$?; [ "$rc" = 3 ] || fail "an empty selection exited $rc, expected 3"
mkdir cases
printf 'case    launcher.fails\ntitle   A case that fails on purpose\nref     none\n\nclient A open name=\\\\.\\pipe\\{pipe} -> ok\n' >cases/fails.case
"$ps" run --jobs 1 --no-progress cases </dev/null >"$tmp/fails.out" 2>&1
rc=$?; [ "$rc" = 1 ] || fail "a failing case exited $rc, expected 1"
ok "exit codes 2, 3 and 1 come through"

# piped: the output of list through a pipe, the reader closing early too
n=$("$ps" list </dev/null | tr -d '\r' | grep -c '^[a-z-]*\.[a-z0-9.-]* ')
[ "$n" -gt 100 ] || fail "list through a pipe gave $n cases"
first=$("$ps" list </dev/null | head -n 1 | tr -d '\r')
[ -n "$first" ] || fail "list | head -n 1 gave nothing"
ok "piped: $n cases listed; list | head -n 1 ends"

# standard input: a case process that takes its case on stdin (the runner's standby)
printf '%s\t%s\t20000\n' "$src/scenarios/sample/busy-freed.case" "pipespec-launcher-$$" |
  "$ps" --standby >"$tmp/standby.out" 2>&1
rc=$?
tr -d '\r' <"$tmp/standby.out" | grep -q "^R	PASS	" || { cat "$tmp/standby.out" >&2; fail "a case given on stdin did not PASS (exit $rc)"; }
"$ps" --standby </dev/null >"$tmp/empty.out" 2>&1 || fail "--standby with empty stdin exited $?"
[ ! -s "$tmp/empty.out" ] || fail "--standby with empty stdin printed something"
ok "stdin: a case given on stdin ran and passed; an empty stdin ran nothing"

# signals: a long stress run ended by SIGTERM, then by SIGINT
for sig in TERM INT; do
  # set -m: the background job gets its own process group and default SIGINT handling,
  # as a command started from an interactive shell has
  set -m
  "$ps" stress --no-progress --clients 1 --duration 120 </dev/null >"$tmp/$sig.out" 2>&1 &
  bg=$!
  set +m
  sleep 4
  kill -0 "$bg" 2>/dev/null || { cat "$tmp/$sig.out" >&2; fail "stress ended before the signal"; }
  kill -s "$sig" "$bg"
  t0=$(date +%s)
  wait "$bg"
  rc=$?
  bg=
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want"
  [ $(( $(date +%s) - t0 )) -le 10 ] || fail "SIG$sig: the run took more than 10 s to end"
  sleep 1
  if running "$build/win/pipespec.exe stress --no-progress --clients 1 --duration 120"; then
    fail "SIG$sig: pipespec.exe stress is still running"
  fi
  ok "SIG$sig: exit $rc within $(( $(date +%s) - t0 )) s, nothing left running"
done
echo "PASS: launcher"
