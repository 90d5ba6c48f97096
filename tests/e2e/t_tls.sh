#!/bin/sh
# vigild refuses to listen off loopback in the clear unless told
# --plaintext, and serves HTTPS with --cert and --key.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
site_import "$VIGIL_TOP/tests/e2e/data/small.site"

out=$("$VIGIL_BIN/vigild" --db "$DB" --listen 0.0.0.0:0 --port-file "$T/p" 2>&1)
assert_eq 64 "$?" "exit status off loopback without TLS"
assert_contains "$out" "without TLS" "refusal message"
[ ! -e "$T/p" ] || fail "vigild listened anyway"
out=$("$VIGIL_BIN/vigild" --db "$DB" --listen 127.0.0.1:0 --cert "$T/nothing.pem" 2>&1)
assert_eq 64 "$?" "--cert without --key"

# --plaintext is an explicit choice (a TLS proxy in front): allowed.
spawn "$VIGIL_BIN/vigild" --db "$DB" --listen 0.0.0.0:0 --plaintext --port-file "$T/p" \
	>>"$T/vigild.log" 2>&1
wait_until 20 test -s "$T/p" || fail "no port with --plaintext"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$T/p")/api/v1/me")
assert_eq 401 "$code" "plain HTTP with --plaintext"
kill "$LAST_PID"
wait_exit "$LAST_PID" 10 || fail "vigild did not stop"

# With a certificate: HTTPS on any address.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	-days 1 -subj /CN=localhost >/dev/null 2>&1 || fail "openssl could not make a certificate"
rm -f "$T/p"
spawn "$VIGIL_BIN/vigild" --db "$DB" --listen 0.0.0.0:0 --cert "$T/cert.pem" \
	--key "$T/key.pem" --port-file "$T/p" >>"$T/vigild.log" 2>&1
wait_until 20 test -s "$T/p" || fail "no port with TLS"
P=$(cat "$T/p")
code=$(curl -s -k -o "$T/out" -w '%{http_code}' "https://127.0.0.1:$P/api/v1/me")
assert_eq 401 "$code" "HTTPS request"
assert_eq unauthorized "$(jq -r .error.code "$T/out")" "HTTPS reply"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/api/v1/me")
[ "$code" != 401 ] || fail "plain HTTP answered on the TLS port"
out=$(curl -s -k -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary '{"events":[]}' \
	"https://127.0.0.1:$P/api/v1/ingest")
assert_eq '{"results":[]}' "$out" "heartbeat over HTTPS"
