#!/usr/bin/env bash
# reference_oversized: a 65536-byte request (client --request-size 65536) is larger than
# the server's 2048-byte read buffer: the server's ERROR_MORE_DATA loop prints one
# "Receive N bytes from client" line per ReadFile, each N <= 2048, adding up to 65536,
# whose texts put together are the request's 32767 characters; the client still gets the
# sample's 58-byte response, and both exit 0.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init reference_oversized

size=65536
pipe=$(e2e_pipe_name big)
full="\\\\.\\pipe\\$pipe"

e2e_start server 60 "$E2E_SERVER" --pipe "$pipe"
e2e_wait_for_line server "Waiting for the client's connection..." 10
e2e_run client 60 "$E2E_CLIENT" --pipe "$pipe" --request-size "$size"
e2e_finish server
e2e_expect_rc server 0
e2e_expect_rc client 0

# The request's text: "Default request from client" repeated over size/2 - 1 UTF-16
# units (the last unit is the NUL, which is not printed).
text=$(awk -v n=$(( size / 2 - 1 )) 'BEGIN {
  t = "Default request from client"; s = ""
  while (length(s) < n) s = s t
  print substr(s, 1, n) }')

# Server: the sample's first three and last lines around the Receive lines.
e2e_expected "$E2E_EXPECTED/server_transcript.txt" "$full" "$E2E_TMP/server.expected"
sx=$E2E_TMP/server.txt
if ! cmp -s <(head -n 3 "$E2E_TMP/server.expected") <(head -n 3 "$sx") ||
   ! cmp -s <(tail -n 1 "$E2E_TMP/server.expected") <(tail -n 1 "$sx"); then
  e2e_dump server
  e2e_fail "server: the lines around the Receive lines differ from server_transcript.txt"
fi
# Lines 4 .. last-1 are all "Receive N bytes from client: "TEXT"".
receive=$E2E_TMP/receive.txt
sed -n '4,$p' "$sx" | sed '$d' >"$receive"
bad=$(grep -vnE '^Receive [0-9]+ bytes from client: ".*"$' "$receive" | head -n 1)
[ -z "$bad" ] || e2e_fail "server: unexpected line among the Receive lines: ${bad:0:200}"
lines=$(wc -l <"$receive")
total=$(awk '{ s += $2 } END { print s + 0 }' "$receive")
biggest=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$receive")
[ "$total" -eq "$size" ] ||
  e2e_fail "server: the Receive lines add up to $total bytes in $lines lines, expected $size"
[ "$biggest" -le 2048 ] ||
  e2e_fail "server: a Receive line reports $biggest bytes, more than the 2048-byte buffer"
got=$(sed -E 's/^Receive [0-9]+ bytes from client: "(.*)"$/\1/' "$receive" | tr -d '\n')
if [ "$got" != "$text" ]; then
  e2e_fail "server: the Receive lines' texts put together (${#got} characters) are not the request's ${#text} characters"
fi

# Client: the connect line, the Send line with the whole text, the sample's response.
e2e_expected "$E2E_EXPECTED/client_transcript.txt" "$full" "$E2E_TMP/client.sample"
{
  sed -n 1p "$E2E_TMP/client.sample"
  printf 'Send %s bytes to server: "%s"\n' "$size" "$text"
  sed -n 3p "$E2E_TMP/client.sample"
} >"$E2E_TMP/client.expected"
e2e_assert_same "$E2E_TMP/client.expected" client

e2e_pass "$size bytes arrived in $lines reads of at most $biggest bytes; response 58 bytes; both exit 0"
