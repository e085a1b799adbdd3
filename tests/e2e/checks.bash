# checks.bash: what the harness's own e2e tests share (sourced, not a test):
# src and build, ps (pipespec.exe under the build's Wine prefix), a scratch folder $out
# removed on exit (kept with PIPESPEC_KEEP=1), and check DESCRIPTION COMMAND... that counts failures in $fails.
# End a test with `checks_done`: it prints the count and exits non-zero on a failure.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[1]}")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
bin="$build/win"
ps() { "$src/ci/wine" "$bin/pipespec.exe" "$@"; }
out=$(mktemp -d)
# PIPESPEC_KEEP=1 keeps the scratch folder for a look afterwards
[ -n "${PIPESPEC_KEEP:-}" ] && echo "scratch: $out" || trap 'rm -rf "$out"' EXIT
fails=0
check() { # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
checks_done() {
  echo "$fails failed"
  [ "$fails" = 0 ]
}
cd "$src" || exit 1
