# tests/e2e/lib.sh: shared helpers of the Wine end-to-end tests of the reference programs.
#
# Use from a test script:
#     . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     e2e_init exchange
# Environment: PIPESPEC_BUILD  the native build directory (the Windows programs are in
#                              $PIPESPEC_BUILD/win, the Wine prefix is $PIPESPEC_BUILD/wineprefix)
#              PIPESPEC_SOURCE the repository (Windows programs run only through
#                              $PIPESPEC_SOURCE/ci/wine)
#              PIPESPEC_KEEP=1 keep the scratch directory (it is always kept on failure)
# Every Windows program runs under `timeout`, so a hang fails the test instead of blocking
# ctest. Only processes started here are ever signalled, each by its own process id.
#
# Run directly (ctest runs it as e2e_lib_selftest; the other tests source it), it checks its own
# Wine-free helpers and exits 0 when they work.

E2E_TEST=e2e            # the test's name, in every message
E2E_TMP=                # scratch directory: NAME.out, NAME.err, NAME.txt per program run
E2E_WINE=               # $PIPESPEC_SOURCE/ci/wine
E2E_SERVER=             # reference_server.exe
E2E_CLIENT=             # reference_client.exe
E2E_EXPECTED=           # tests/expected
declare -A E2E_PID=()   # NAME -> pid of a program started in the background
declare -A E2E_RC=()    # NAME -> exit code of a finished program
declare -A E2E_MS=()    # NAME -> wall time of a foreground run, in ms

# Prints a failure line (greppable: "FAIL: test: ...") and ends the test with 1.
e2e_fail() {
  echo "FAIL: $E2E_TEST: $*" >&2
  exit 1
}

# Prints a progress line.
e2e_note() {
  echo "$E2E_TEST: $*"
}

# Prints the final success line and ends the test with 0.
e2e_pass() {
  echo "PASS: $E2E_TEST${1:+: $1}"
  exit 0
}

# The name of an exit code as a Win32 error (the Windows exit code modulo 256, as a
# POSIX parent sees it), or of the `timeout` wrapper's 124.
e2e_errname() {
  case $1 in
    0) echo "0 (ERROR_SUCCESS)" ;;
    2) echo "2 (ERROR_FILE_NOT_FOUND, or a usage error)" ;;
    5) echo "5 (ERROR_ACCESS_DENIED)" ;;
    109) echo "109 (ERROR_BROKEN_PIPE)" ;;
    121) echo "121 (ERROR_SEM_TIMEOUT)" ;;
    124) echo "124 (killed by timeout: the program hung)" ;;
    164) echo "164 (676 ERROR_HANDLES_CLOSED modulo 256, as Wine's WaitNamedPipe gives when the pipe goes away)" ;;
    231) echo "231 (ERROR_PIPE_BUSY)" ;;
    232) echo "232 (ERROR_NO_DATA)" ;;
    233) echo "233 (ERROR_PIPE_NOT_CONNECTED)" ;;
    234) echo "234 (ERROR_MORE_DATA)" ;;
    *) echo "$1" ;;
  esac
}

# e2e_init NAME: checks the environment, creates the scratch directory, makes sure the
# build's Wine prefix exists and its wineserver runs, and arranges the cleanup.
e2e_init() {
  E2E_TEST=$1
  [ -n "${PIPESPEC_BUILD:-}" ] || e2e_fail "PIPESPEC_BUILD is not set (the native build directory)"
  [ -n "${PIPESPEC_SOURCE:-}" ] || e2e_fail "PIPESPEC_SOURCE is not set (the repository)"
  E2E_WINE=$PIPESPEC_SOURCE/ci/wine
  E2E_SERVER=$PIPESPEC_BUILD/win/reference_server.exe
  E2E_CLIENT=$PIPESPEC_BUILD/win/reference_client.exe
  E2E_EXPECTED=$PIPESPEC_SOURCE/tests/expected
  [ -x "$E2E_WINE" ] || e2e_fail "$E2E_WINE is missing or not executable"
  local f
  for f in "$E2E_SERVER" "$E2E_CLIENT"; do
    [ -f "$f" ] || e2e_fail "$f is missing: build the Windows half (cmake --build build --target windows)"
  done
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-e2e-$E2E_TEST.XXXXXX") ||
    e2e_fail "cannot create a scratch directory"
  trap e2e_cleanup EXIT
  "$E2E_WINE" --start </dev/null || e2e_fail "ci/wine --start failed (Wine prefix $PIPESPEC_BUILD/wineprefix)"
}

# Ends what this test started and is still running (by pid), then removes the scratch
# directory unless the test failed or PIPESPEC_KEEP=1.
e2e_cleanup() {
  local rc=$? name pid
  for name in "${!E2E_PID[@]}"; do
    pid=${E2E_PID[$name]}
    if kill -0 "$pid" 2>/dev/null; then
      echo "$E2E_TEST: ending $name (pid $pid), still running at exit" >&2
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
    if [ "$rc" -ne 0 ] || [ "${PIPESPEC_KEEP:-0}" = 1 ]; then
      echo "$E2E_TEST: outputs kept in $E2E_TMP" >&2
    else
      rm -rf "$E2E_TMP"
    fi
  fi
}

# A pipe name of its own for this run: short name after \\.\pipe\.
e2e_pipe_name() {
  echo "pipespec-ref-$E2E_TEST-$1-$$-$RANDOM"
}

# Milliseconds since the epoch.
e2e_now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

# e2e_start NAME LIMIT_S EXE [ARGS...]: starts a Windows program in the background
# (stdout to $E2E_TMP/NAME.out, stderr to NAME.err), killed after LIMIT_S seconds.
e2e_start() {
  local name=$1 limit=$2
  shift 2
  timeout -k 5 "$limit" "$E2E_WINE" "$@" </dev/null >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" &
  E2E_PID[$name]=$!
}

# e2e_finish NAME: waits for a program started with e2e_start; sets E2E_RC[NAME]
# and writes its output without CR to $E2E_TMP/NAME.txt.
e2e_finish() {
  local name=$1 rc=0
  wait "${E2E_PID[$name]}" || rc=$?
  unset "E2E_PID[$name]"
  E2E_RC[$name]=$rc
  tr -d '\r' <"$E2E_TMP/$name.out" >"$E2E_TMP/$name.txt"
}

# e2e_run NAME LIMIT_S EXE [ARGS...]: runs a Windows program in the foreground; sets
# E2E_RC[NAME] and E2E_MS[NAME] (wall time, including Wine's process start) and writes
# the output without CR to $E2E_TMP/NAME.txt.
e2e_run() {
  local name=$1 limit=$2 t0 t1 rc=0
  shift 2
  t0=$(e2e_now_ms)
  timeout -k 5 "$limit" "$E2E_WINE" "$@" </dev/null >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" || rc=$?
  t1=$(e2e_now_ms)
  E2E_RC[$name]=$rc
  E2E_MS[$name]=$(( t1 - t0 ))
  tr -d '\r' <"$E2E_TMP/$name.out" >"$E2E_TMP/$name.txt"
}

# e2e_wait_for_line NAME TEXT LIMIT_S: waits until the background program NAME has
# printed a line containing TEXT; fails if it ends first or after LIMIT_S seconds.
e2e_wait_for_line() {
  local name=$1 text=$2 limit=$3 deadline
  deadline=$(( $(e2e_now_ms) + limit * 1000 ))
  while :; do
    if tr -d '\r' <"$E2E_TMP/$name.out" | grep -qF -- "$text"; then
      return 0
    fi
    if ! kill -0 "${E2E_PID[$name]}" 2>/dev/null; then
      e2e_finish "$name"
      e2e_dump "$name"
      e2e_fail "$name ended with exit code $(e2e_errname "${E2E_RC[$name]}") before printing '$text'"
    fi
    if [ "$(e2e_now_ms)" -ge "$deadline" ]; then
      e2e_dump "$name"
      e2e_fail "$name did not print '$text' within $limit s"
    fi
    sleep 0.05
  done
}

# Shows what a program printed (stdout and stderr), for a failure message.
e2e_dump() {
  local name=$1
  echo "---- $name stdout ($E2E_TMP/$name.out) ----" >&2
  tr -d '\r' <"$E2E_TMP/$name.out" | cut -c1-300 >&2
  if [ -s "$E2E_TMP/$name.err" ]; then
    echo "---- $name stderr ----" >&2
    cut -c1-300 "$E2E_TMP/$name.err" >&2
  fi
  echo "----" >&2
}

# e2e_expect_rc NAME CODE: the program's exit code is CODE.
e2e_expect_rc() {
  local name=$1 want=$2 got=${E2E_RC[$1]}
  if [ "$got" != "$want" ]; then
    e2e_dump "$name"
    e2e_fail "$name: expected exit code $(e2e_errname "$want"), got $(e2e_errname "$got")"
  fi
}

# e2e_expected TEMPLATE FULL_PIPE_NAME DEST: writes the expected transcript TEMPLATE
# (from tests/expected) with the sample's \\.\pipe\SamplePipe replaced, literally, by
# FULL_PIPE_NAME.
e2e_expected() {
  E2E_FROM='\\.\pipe\SamplePipe' E2E_TO=$2 awk '
    {
      line = $0; out = ""; from = ENVIRON["E2E_FROM"]; to = ENVIRON["E2E_TO"]
      while ((i = index(line, from)) > 0) {
        out = out substr(line, 1, i - 1) to
        line = substr(line, i + length(from))
      }
      print out line
    }' "$1" >"$3"
}

# e2e_assert_same EXPECTED_FILE NAME: the program's CR-stripped output equals the
# expected file byte for byte; otherwise shows a diff and fails.
e2e_assert_same() {
  local expected=$1 name=$2
  if ! cmp -s "$expected" "$E2E_TMP/$name.txt"; then
    echo "---- diff expected ($expected) actual ($E2E_TMP/$name.txt) ----" >&2
    diff -u "$expected" "$E2E_TMP/$name.txt" | cut -c1-300 >&2
    [ -s "$E2E_TMP/$name.err" ] && { echo "---- $name stderr ----" >&2; cat "$E2E_TMP/$name.err" >&2; }
    e2e_fail "$name: transcript differs from $(basename "$expected")"
  fi
}

# e2e_assert_elapsed NAME LO_MS HI_MS: the foreground run took LO_MS..HI_MS.
e2e_assert_elapsed() {
  local name=$1 lo=$2 hi=$3 ms=${E2E_MS[$1]}
  if [ "$ms" -lt "$lo" ] || [ "$ms" -gt "$hi" ]; then
    e2e_fail "$name took $ms ms, expected $lo..$hi ms"
  fi
}

# Run directly: check the helpers that need no Wine.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  E2E_TEST=lib
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-e2e-lib.XXXXXX") || exit 1
  trap 'rm -rf "$E2E_TMP"' EXIT
  here=$(cd "$(dirname "$0")" && pwd)
  e2e_expected "$here/../expected/client_transcript.txt" '\\.\pipe\x y\z&1' "$E2E_TMP/exp"
  first=$(head -n 1 "$E2E_TMP/exp")
  [ "$first" = 'The named pipe (\\.\pipe\x y\z&1) is connected.' ] ||
    e2e_fail "e2e_expected substituted wrongly: $first"
  [ "$(wc -l <"$E2E_TMP/exp")" -eq 3 ] || e2e_fail "e2e_expected changed the line count"
  printf 'a\r\nb\r\n' >"$E2E_TMP/x.out"
  tr -d '\r' <"$E2E_TMP/x.out" >"$E2E_TMP/x.txt"
  [ "$(cat "$E2E_TMP/x.txt")" = "$(printf 'a\nb')" ] || e2e_fail "CR stripping is broken"
  e2e_pass "helpers work (this file is sourced by the reference_*.sh tests)"
fi
