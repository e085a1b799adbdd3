#!/usr/bin/env bash
# reference_busy: the reference server creates one instance at a time, so while client A
# holds it (--hold-ms) client B gets ERROR_PIPE_BUSY and waits in WaitNamedPipe:
#   1. B with --wait-ms 1000 gives up after 1..4 s: "Could not open pipe: 1000 ms wait
#      timed out." (no newline, as the sample), exit 121 (ERROR_SEM_TIMEOUT);
#   2. B with the sample's 5000 ms gives up after 5..8 s with the sample's exact message
#      "Could not open pipe: 5 second wait timed out.", exit 121;
#   3. with --clients 2, B waiting up to 10 s is served as soon as A is done: the
#      sample's client transcript and exit 0 (the original would exit 231, see
#      docs/reference-programs.md).
# In 1 and 2, A and the server then finish the sample's exchange normally.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init reference_busy

e2e_expected_both() {  # full pipe name -> server.expected, client.expected
  e2e_expected "$E2E_EXPECTED/server_transcript.txt" "$1" "$E2E_TMP/server.expected"
  e2e_expected "$E2E_EXPECTED/client_transcript.txt" "$1" "$E2E_TMP/client.expected"
}

# give_up LABEL WAIT_MS HOLD_MS MESSAGE [B's --wait-ms]: part 1 or 2.
give_up() {
  local label=$1 wait=$2 hold=$3 message=$4
  shift 4
  local pipe full
  pipe=$(e2e_pipe_name "$label")
  full="\\\\.\\pipe\\$pipe"
  e2e_note "$label: A holds the only instance for $hold ms, B waits $wait ms"
  e2e_start server 60 "$E2E_SERVER" --pipe "$pipe"
  e2e_wait_for_line server "Waiting for the client's connection..." 10
  e2e_start holder 60 "$E2E_CLIENT" --pipe "$pipe" --hold-ms "$hold"
  e2e_wait_for_line holder "is connected." 10
  e2e_run waiter 60 "$E2E_CLIENT" --pipe "$pipe" "$@"
  printf '%s' "$message" >"$E2E_TMP/waiter.expected"
  e2e_assert_same "$E2E_TMP/waiter.expected" waiter
  # 121 = ERROR_SEM_TIMEOUT: WaitNamedPipe timed out; the last error is the exit code.
  e2e_expect_rc waiter 121
  e2e_assert_elapsed waiter "$wait" $(( wait + 3000 ))
  # B must have given up while A still held the instance, or the test proved nothing.
  if grep -q '^Send' "$E2E_TMP/holder.out"; then
    e2e_fail "$label: the holder sent before the waiter gave up; raise --hold-ms"
  fi
  e2e_finish holder
  e2e_finish server
  e2e_expected_both "$full"
  e2e_assert_same "$E2E_TMP/client.expected" holder
  e2e_assert_same "$E2E_TMP/server.expected" server
  e2e_expect_rc holder 0
  e2e_expect_rc server 0
  e2e_note "$label: B gave up after ${E2E_MS[waiter]} ms with exit 121"
}

give_up wait1000 1000 5000 "Could not open pipe: 1000 ms wait timed out." --wait-ms 1000
give_up wait5000 5000 10000 "Could not open pipe: 5 second wait timed out."

# 3. The waiter is served once the holder is done.
pipe=$(e2e_pipe_name served)
full="\\\\.\\pipe\\$pipe"
e2e_note "served: A holds the instance for 2000 ms, B waits up to 10000 ms"
e2e_start server 60 "$E2E_SERVER" --pipe "$pipe" --clients 2
e2e_wait_for_line server "Waiting for the client's connection..." 10
e2e_start holder 60 "$E2E_CLIENT" --pipe "$pipe" --hold-ms 2000
e2e_wait_for_line holder "is connected." 10
e2e_run waiter 60 "$E2E_CLIENT" --pipe "$pipe" --wait-ms 10000
e2e_finish holder
e2e_finish server
e2e_expected_both "$full"
cat "$E2E_TMP/server.expected" "$E2E_TMP/server.expected" >"$E2E_TMP/server2.expected"
e2e_assert_same "$E2E_TMP/client.expected" holder
e2e_assert_same "$E2E_TMP/client.expected" waiter
e2e_assert_same "$E2E_TMP/server2.expected" server
e2e_expect_rc holder 0
e2e_expect_rc waiter 0
e2e_expect_rc server 0
e2e_assert_elapsed waiter 0 9000
e2e_note "served: B was served after ${E2E_MS[waiter]} ms"

e2e_pass "busy waiter gives up after 1000 ms and 5000 ms with exit 121; is served when an instance frees"
