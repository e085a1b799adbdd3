#!/usr/bin/env bash
# reference_no_server: with no server of that name, the reference client prints exactly
# the sample's "Unable to open named pipe w/err 0x00000002" (ERROR_FILE_NOT_FOUND) and
# exits non-zero (with that error, 2) at once.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init reference_no_server

pipe=$(e2e_pipe_name none)

e2e_run client 30 "$E2E_CLIENT" --pipe "$pipe"
printf 'Unable to open named pipe w/err 0x00000002\n' >"$E2E_TMP/client.expected"
e2e_assert_same "$E2E_TMP/client.expected" client
[ "${E2E_RC[client]}" -ne 0 ] || e2e_fail "client: exit code 0 without a server"
# 2 = ERROR_FILE_NOT_FOUND, the last error, as the original returns it.
e2e_expect_rc client 2
# "At once": no wait, only Wine's process start (about 0.1-0.5 s here).
e2e_assert_elapsed client 0 3000
e2e_pass "sample message, exit 2, ${E2E_MS[client]} ms"
