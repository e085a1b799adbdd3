#!/usr/bin/env bash
# reference_exchange: the reference server and client, as two processes under Wine, hold
# the sample's exchange; both transcripts equal tests/expected/*_transcript.txt (with this
# run's pipe name) byte for byte after removing CR, and both exit 0.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init reference_exchange

pipe=$(e2e_pipe_name x)
full="\\\\.\\pipe\\$pipe"

e2e_start server 60 "$E2E_SERVER" --pipe "$pipe"
# The client may start only once the server's instance exists: the server prints this
# line right after CreateNamedPipe, before ConnectNamedPipe.
e2e_wait_for_line server "Waiting for the client's connection..." 10
e2e_run client 30 "$E2E_CLIENT" --pipe "$pipe"
e2e_finish server

e2e_expected "$E2E_EXPECTED/server_transcript.txt" "$full" "$E2E_TMP/server.expected"
e2e_expected "$E2E_EXPECTED/client_transcript.txt" "$full" "$E2E_TMP/client.expected"
e2e_assert_same "$E2E_TMP/server.expected" server
e2e_assert_same "$E2E_TMP/client.expected" client
e2e_expect_rc server 0
e2e_expect_rc client 0
e2e_pass "transcripts equal tests/expected, both exit 0 (client ${E2E_MS[client]} ms)"
