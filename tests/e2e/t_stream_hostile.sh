#!/bin/sh
# Hostile input on the stream socket: a message over the limit as one frame
# and as many fragments closes with 1009; invalid UTF-8 closes (1007); a
# bogus token gets an "unauthorized" error; nothing is stored; the server
# keeps serving.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
PROBE=$VIGIL_BIN/../tests/wsprobe
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'admin-pw-1\n' | user_add root admin
vigild_start
TOKEN=$(login root admin-pw-1)
counts() {
	sqlq "SELECT (SELECT count(*) FROM stream) || ' ' || (SELECT count(*) FROM audit) || ' ' || (SELECT count(*) FROM events)"
}
before=$(counts)

out=$("$PROBE" --seconds 10 --big 5000 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN")
assert_contains "$out" "close 1009" "one frame of 5000 bytes"
out=$("$PROBE" --seconds 10 --big 1000000 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN")
assert_contains "$out" "close 1009" "one frame of 1 MB"
out=$("$PROBE" --seconds 10 --fragments 20 500 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN")
assert_contains "$out" "close 1009" "20 fragments of 500 bytes"
out=$("$PROBE" --seconds 10 --bad-utf8 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN")
assert_contains "$out" "close 1007" "invalid UTF-8"
out=$("$PROBE" --seconds 10 127.0.0.1 "$PORT" "/api/v1/stream?since=0" "not-a-token")
assert_contains "$out" '"code":"unauthorized"' "bogus token"
out=$("$PROBE" --seconds 10 127.0.0.1 "$PORT" "/api/v1/stream?since=abc" "$TOKEN")
assert_contains "$out" '"code":"malformed"' "since that is not a number"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/stream")
assert_eq 426 "$code" "plain GET of the stream"

# A small message within the limit is accepted and ignored.
out=$("$PROBE" --seconds 7 --big 100 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN")
assert_contains "$out" '"type":"heartbeat"' "a client that sent a small message keeps its stream"

assert_eq "$before" "$(counts)" "stream, audit and events after hostile input"
TOKEN=$TOKEN api GET /api/v1/me >/dev/null
assert_eq 200 "$(last_status)" "the server still answers"
vigild_stop
