#!/usr/bin/env bash
# The ci/ scripts in ordinary use (issue 9 item 6, issue 10 item 11, review section 5):
#  - ci/wine captured with $(...) and piped into cat, from a stopped (and from a new)
#    prefix, returns promptly (Wine's services never hold the caller's stdout/stderr);
#    ci/wine --start captured too; two runs at once from a stopped prefix;
#  - ci/wine --stop while another run uses the prefix leaves that run alone;
#  - the prefix presents Windows 10 by default and the report's platform says so;
#    PIPESPEC_WINVER=win7 switches it, and back; an unknown version is refused;
#  - ci/conformance from another directory (relative case files and --report-dir),
#    captured, piped, twice at once; with a failing demo client it says so and still
#    runs the catalogue;
#  - ci/fuzz as non-root without clang says why it stops; ci/test runs the ASan pass
#    after a ctest failure and exits non-zero.
# Runs in a prefix of its own (created here), so "stopped" means stopped. The
# ci/conformance and ci/test checks run copies of the real scripts in a skeleton
# repository whose ci/build (and ci/bootstrap) do nothing, over the real build's programs.
set -uo pipefail
src=${PIPESPEC_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PIPESPEC_BUILD:-$src/build}
exe=$build/win/pipespec.exe
[ -f "$exe" ] || { echo "FAIL: $exe is missing"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pipespec-ci-scripts.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
B=$tmp/b                       # the build directory of this test: its own prefix
mkdir -p "$B/win"
for f in pipespec reference_server reference_client; do ln -s "$build/win/$f.exe" "$B/win/$f.exe"; done
export PIPESPEC_BUILD=$B       # for every ci/ script run below, unless given another
W() { "$src/ci/wine" "$@"; }
cleanup() {
  PIPESPEC_BUILD=$B "$src/ci/wine" --stop >/dev/null 2>&1
  [ -n "${B2:-}" ] && PIPESPEC_BUILD=$B2 "$src/ci/wine" --stop >/dev/null 2>&1
  if [ "$fails" = 0 ]; then rm -rf "$tmp"; else echo "outputs kept in $tmp"; fi
}
fails=0
trap cleanup EXIT
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
show() { echo "---- $1"; cut -c1-300 "$1" | head -40; echo "----"; }

# Is a wineserver running for prefix $1? (its working directory is server-<dev>-<inode>)
server_alive() {
  local key p dev ino
  read -r dev ino < <(stat -L -c '%d %i' "$1")
  key=$(printf 'server-%x-%x' "$dev" "$ino")
  for p in /proc/[0-9]*; do
    case $(readlink "$p/cwd" 2>/dev/null) in */"$key") return 0 ;; esac
  done
  return 1
}

# --- ci/wine, captured and piped ---------------------------------------------------
t0=$(date +%s)
timeout -k 5 180 bash -c 'x=$("$0" "$1" --help 2>&1); printf "%s\n" "$x"' "$src/ci/wine" "$exe" \
  >"$tmp/new.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "usage: pipespec" "$tmp/new.txt"; then
  ok "x=\$(ci/wine pipespec.exe --help 2>&1) on a new prefix returned ($(( $(date +%s) - t0 )) s with the prefix's creation)"
else show "$tmp/new.txt"; bad "captured run on a new prefix (exit $rc; 124: it hung)"; fi
W --stop
server_alive "$B/wineprefix" && bad "ci/wine --stop left the wineserver running"
timeout -k 5 60 bash -c 'x=$("$0" "$1" --help 2>&1); printf "%s\n" "$x"' "$src/ci/wine" "$exe" >"$tmp/cap.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "usage: pipespec" "$tmp/cap.txt"; then ok "captured from a stopped prefix"
else show "$tmp/cap.txt"; bad "x=\$(ci/wine pipespec.exe --help 2>&1) from a stopped prefix (exit $rc; 124: it hung)"; fi
W --stop
timeout -k 5 60 bash -c '"$0" "$1" --version 2>&1 | cat' "$src/ci/wine" "$exe" >"$tmp/pipe.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "^pipespec " "$tmp/pipe.txt"; then ok "piped into cat from a stopped prefix"
else show "$tmp/pipe.txt"; bad "ci/wine pipespec.exe --version 2>&1 | cat (exit $rc; 124: it hung)"; fi
W --stop
timeout -k 5 60 bash -c 'x=$("$0" --start 2>&1) && y=$("$0" "$1" --version 2>&1) && echo "$y"' "$src/ci/wine" "$exe" \
  >"$tmp/start.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "^pipespec " "$tmp/start.txt"; then ok "x=\$(ci/wine --start), then a captured run"
else show "$tmp/start.txt"; bad "captured --start then run (exit $rc)"; fi
W --stop
pids=()
for i in 1 2; do
  timeout -k 5 60 bash -c 'x=$("$0" "$1" --version 2>&1); echo "$x"' "$src/ci/wine" "$exe" >"$tmp/twice$i.txt" 2>&1 </dev/null &
  pids+=($!)
done
pid1=${pids[0]} pid2=${pids[1]}
rc1=0; rc2=0; wait "$pid1" || rc1=$?; wait "$pid2" || rc2=$?
if [ "$rc1$rc2" = 00 ] && grep -q "^pipespec " "$tmp/twice1.txt" && grep -q "^pipespec " "$tmp/twice2.txt"; then
  ok "two captured runs at once from a stopped prefix"
else show "$tmp/twice1.txt"; show "$tmp/twice2.txt"; bad "two captured runs at once (exits $rc1, $rc2)"; fi

# --- ci/wine --stop while another run uses the prefix -------------------------------
pipe=pipespec-ci-stop-$$
W "$B/win/reference_server.exe" --pipe "$pipe" </dev/null >"$tmp/srv.txt" 2>&1 &
srv=$!
for _ in $(seq 200); do grep -q "Waiting for the client" "$tmp/srv.txt" && break; sleep 0.05; done
W --stop >"$tmp/stop.txt" 2>&1
stop_rc=$?
timeout -k 5 30 "$src/ci/wine" "$B/win/reference_client.exe" --pipe "$pipe" </dev/null >"$tmp/cli.txt" 2>&1
cli_rc=$?
timeout 20 tail --pid="$srv" -f /dev/null
kill "$srv" 2>/dev/null; srv_rc=0; wait "$srv" || srv_rc=$?
if [ "$stop_rc" = 0 ] && grep -q "still in use" "$tmp/stop.txt" && [ "$cli_rc" = 0 ] && [ "$srv_rc" = 0 ] &&
   grep -q "Receive 58 bytes from server" "$tmp/cli.txt"; then
  ok "ci/wine --stop during another run: 'still in use', exit 0, and that run completed"
else
  show "$tmp/stop.txt"; show "$tmp/srv.txt"; show "$tmp/cli.txt"
  bad "--stop during a run (stop exit $stop_rc, client exit $cli_rc, server exit $srv_rc)"
fi
W --stop
if server_alive "$B/wineprefix"; then bad "ci/wine --stop with no user left did not stop the wineserver"
else ok "ci/wine --stop with no user left stops the wineserver"; fi

# --- the Windows version the prefix presents ------------------------------------------
cat >"$tmp/one.case" <<'EOF'
case    citest.one
title   One CreateNamedPipe and one client
ref     none
server S create
client C open
EOF
printf 'case    citest.slow\ntitle   A case that takes ten seconds\nref     none\ntimeout 30s\nserver S create\nsleep   10s\nclient C open\n' \
  >"$tmp/slow.case"
platform_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["platform"])' "$1" 2>/dev/null; }
W "$exe" run --jobs 1 --no-progress --report-dir "$tmp/rep10" "$tmp/one.case" </dev/null >"$tmp/rep10.txt" 2>&1
p10=$(platform_of "$tmp/rep10/report.json")
case $p10 in
  "Wine "*" presenting Windows 10.0."*) ok "by default the report's platform is: $p10" ;;
  *) show "$tmp/rep10.txt"; bad "the report's platform does not show Windows 10.0: '$p10'" ;;
esac
PIPESPEC_WINVER=win7 W "$exe" --version </dev/null >"$tmp/v7.txt" 2>&1
grep -q "presenting Windows 6.1.7601" "$tmp/v7.txt" && ok "PIPESPEC_WINVER=win7: $(tr -d '\r' <"$tmp/v7.txt")" ||
  { show "$tmp/v7.txt"; bad "PIPESPEC_WINVER=win7 does not present 6.1.7601"; }
W "$exe" --version </dev/null >"$tmp/vback.txt" 2>&1
grep -q "presenting Windows 10.0." "$tmp/vback.txt" && ok "a prefix that presented win7 is switched back to Windows 10" ||
  { show "$tmp/vback.txt"; bad "the win7 prefix was not switched back to win10"; }
PIPESPEC_WINVER=winbogus W "$exe" --version </dev/null >"$tmp/vbad.txt" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "PIPESPEC_WINVER=winbogus" "$tmp/vbad.txt" && ok "an unknown PIPESPEC_WINVER is refused (exit 2)" ||
  { show "$tmp/vbad.txt"; bad "PIPESPEC_WINVER=winbogus: exit $rc"; }

# --- ci/conformance, in a skeleton repository -----------------------------------------
R=$tmp/repo
mkdir -p "$R/ci" "$R/scenarios/t" "$tmp/elsewhere/cases"
cp "$src/ci/conformance" "$src/ci/wine" "$R/ci/"
printf '#!/bin/sh\nexit 0\n' >"$R/ci/build"; chmod +x "$R/ci/build"
cp "$tmp/one.case" "$R/scenarios/t/one.case"
cp "$tmp/one.case" "$tmp/slow.case" "$tmp/elsewhere/cases/"
cd "$tmp/elsewhere" || exit 1
W --stop
timeout -k 5 120 bash -c 'x=$("$0" --report-dir out cases/one.case 2>&1); rc=$?; echo "$x"; exit $rc' "$R/ci/conformance" \
  >"$tmp/conf-rel.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "^SUMMARY: 1 cases: 1 PASS" "$tmp/conf-rel.txt" && [ -f "$tmp/elsewhere/out/report.json" ]; then
  ok "x=\$(ci/conformance --report-dir out cases/one.case) from another directory, stopped prefix"
else show "$tmp/conf-rel.txt"; bad "ci/conformance with relative paths from another directory (exit $rc)"; fi
timeout -k 5 120 bash -c '"$0" cases/one.case 2>&1 | cat' "$R/ci/conformance" >"$tmp/conf-pipe.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "^SUMMARY: 1 cases: 1 PASS" "$tmp/conf-pipe.txt"; then ok "ci/conformance ... | cat"
else show "$tmp/conf-pipe.txt"; bad "ci/conformance piped (exit $rc)"; fi
timeout -k 5 120 "$R/ci/conformance" "$tmp/elsewhere/cases/slow.case" </dev/null >"$tmp/conf-slow.txt" 2>&1 &
slow=$!
sleep 4   # the slow case is under way (it takes 10 s); the quick run ends, and stops, meanwhile
timeout -k 5 120 "$R/ci/conformance" "$tmp/elsewhere/cases/one.case" </dev/null >"$tmp/conf-quick.txt" 2>&1
quick_rc=$?
slow_rc=0; wait "$slow" || slow_rc=$?
if [ "$quick_rc$slow_rc" = 00 ] && grep -q "^SUMMARY: 1 cases: 1 PASS" "$tmp/conf-slow.txt"; then
  ok "two ci/conformance at once: the one that ended first left the other's wineserver alone"
else show "$tmp/conf-slow.txt"; show "$tmp/conf-quick.txt"; bad "two ci/conformance at once (exits $quick_rc, $slow_rc)"; fi
timeout -k 5 180 bash -c 'x=$("$0" 2>&1); rc=$?; echo "$x"; exit $rc' "$R/ci/conformance" >"$tmp/conf-demo.txt" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q "^-- the exchange worked" "$tmp/conf-demo.txt" && grep -q "^SUMMARY: 1 cases: 1 PASS" "$tmp/conf-demo.txt"; then
  ok "ci/conformance without arguments: the sample's exchange, then the catalogue"
else show "$tmp/conf-demo.txt"; bad "ci/conformance without arguments (exit $rc)"; fi
# a demo client that fails: reference_client.exe is pipespec.exe (a usage error)
B2=$tmp/b2
mkdir -p "$B2/win"
ln -s "$B/wineprefix" "$B2/wineprefix"
ln -s "$build/win/pipespec.exe" "$B2/win/pipespec.exe"
ln -s "$build/win/reference_server.exe" "$B2/win/reference_server.exe"
ln -s "$build/win/pipespec.exe" "$B2/win/reference_client.exe"
PIPESPEC_BUILD=$B2 timeout -k 5 180 "$R/ci/conformance" </dev/null >"$tmp/conf-fail.txt" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "the exchange FAILED: reference_client exited 2" "$tmp/conf-fail.txt" &&
   grep -q "^SUMMARY: 1 cases: 1 PASS" "$tmp/conf-fail.txt"; then
  ok "a failing demo client: the transcript and the failure are shown, the catalogue still runs, exit 1"
else show "$tmp/conf-fail.txt"; bad "ci/conformance with a failing demo client (exit $rc)"; fi
cd "$tmp" || exit 1

# --- ci/fuzz as non-root without clang ------------------------------------------------
# (the other user runs copies of the scripts: the checkout itself may be readable by
# root alone, as a clone into `mktemp -d` is)
mkdir -p "$tmp/src"
cp -r "$src/ci" "$tmp/src/"
chmod -R a+rX "$tmp/src"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  mkdir -p "$tmp/nobin"
  for t in bash dirname id env; do ln -s "$(command -v "$t")" "$tmp/nobin/$t"; done
  chmod 755 "$tmp" "$tmp/nobin"
  setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$tmp/nobin" bash "$tmp/src/ci/fuzz" 1 \
    </dev/null >"$tmp/fuzz.txt" 2>&1
  rc=$?
  if [ "$rc" != 0 ] && grep -q "clang is missing" "$tmp/fuzz.txt"; then ok "ci/fuzz as non-root without clang: $(head -1 "$tmp/fuzz.txt")"
  else show "$tmp/fuzz.txt"; bad "ci/fuzz as non-root without clang (exit $rc, no message)"; fi
else
  echo "SKIP: ci/fuzz as non-root: needs root and setpriv to become another user"
fi

# --- ci/wine-versions: SKIP with the reason where it cannot run -------------------------
# (a build directory of its own: no cached chroot, so the registry would be needed)
mkdir -p "$tmp/wvb/win"
ln -s "$exe" "$tmp/wvb/win/pipespec.exe"
ln -s "$build/pipespec_compare" "$tmp/wvb/pipespec_compare"
PIPESPEC_BUILD=$tmp/wvb PIPESPEC_DEBIAN_MIRROR=http://127.0.0.1:9/debian timeout 120 "$src/ci/wine-versions" \
  </dev/null >"$tmp/wv-net.txt" 2>&1
rc=$?
if [ "$(id -u)" != 0 ]; then
  [ "$rc" = 77 ] && grep -q "^SKIP: ci/wine-versions: needs root" "$tmp/wv-net.txt" && ok "ci/wine-versions as non-root: SKIP, needs root" ||
    { show "$tmp/wv-net.txt"; bad "ci/wine-versions as non-root (exit $rc)"; }
elif [ "$rc" = 77 ] && grep -q "^SKIP: ci/wine-versions: the registry http://127.0.0.1:9/debian is unreachable" "$tmp/wv-net.txt"; then
  ok "ci/wine-versions with an unreachable registry: $(head -1 "$tmp/wv-net.txt")"
else show "$tmp/wv-net.txt"; bad "ci/wine-versions with an unreachable registry (exit $rc)"; fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  setpriv --reuid=65534 --regid=65534 --clear-groups env PIPESPEC_BUILD="$tmp/wvb" bash "$tmp/src/ci/wine-versions" \
    </dev/null >"$tmp/wv-user.txt" 2>&1
  rc=$?
  [ "$rc" = 77 ] && grep -q "^SKIP: ci/wine-versions: needs root" "$tmp/wv-user.txt" && ok "ci/wine-versions as non-root: SKIP, needs root" ||
    { show "$tmp/wv-user.txt"; bad "ci/wine-versions as non-root (exit $rc)"; }
fi

# --- ci/test: a ctest failure, then still the ASan pass, then non-zero ----------------
T=$tmp/trepo TB=$tmp/tbuild
mkdir -p "$T/ci" "$TB"
cp "$src/ci/test" "$src/ci/wine" "$T/ci/"
for s in bootstrap build; do printf '#!/bin/sh\nexit 0\n' >"$T/ci/$s"; chmod +x "$T/ci/$s"; done
printf '#!/bin/sh\necho "SKIP: ci/wine-versions: skeleton"\nexit 77\n' >"$T/ci/wine-versions"; chmod +x "$T/ci/wine-versions"
printf 'add_test(always_fails "/bin/false")\n' >"$TB/CTestTestfile.cmake"
cat >"$T/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(skeleton NONE)
foreach(p unit_tests pipespec_docs)
  file(WRITE ${CMAKE_BINARY_DIR}/${p} "#!/bin/sh\necho skeleton ${p} ran\n")
  execute_process(COMMAND chmod +x ${CMAKE_BINARY_DIR}/${p})
  add_custom_target(${p})
endforeach()
EOF
ln -s "$B/wineprefix" "$TB/wineprefix"
PIPESPEC_BUILD=$TB timeout -k 5 120 "$T/ci/test" </dev/null >"$tmp/test.txt" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "skeleton unit_tests ran" "$tmp/test.txt" && grep -q "ctest failed" "$tmp/test.txt"; then
  ok "ci/test: ctest failed, the ASan pass still ran, exit 1"
else show "$tmp/test.txt"; bad "ci/test after a ctest failure (exit $rc)"; fi

[ "$fails" = 0 ] && echo "PASS: ci scripts" || echo "FAIL: $fails check(s) of the ci scripts failed"
[ "$fails" = 0 ]
