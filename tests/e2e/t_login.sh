#!/bin/sh
# Login over HTTP: a token that works, wrong passwords refused, too many
# failures throttled with Retry-After, logout revokes, and only the token's
# hash is stored.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'login-pw-right\n' | user_add lena dispatcher
vigild_start

TOKEN=$(login lena login-pw-right)
[ ${#TOKEN} -eq 64 ] || fail "token is not 64 hex characters: $TOKEN"
assert_eq "lena dispatcher" "$(api GET /api/v1/me | jq -r '.user | "\(.name) \(.role)"')" "me"
assert_eq 0 "$(sqlq "SELECT count(*) FROM sessions WHERE hex(token_hash) = upper('$TOKEN')")" \
	"token stored in the clear"
assert_eq 1 "$(sqlq "SELECT count(*) FROM sessions")" "sessions"

try() { # try USER PASSWORD -> prints the status
	curl -s -m 20 -o "$T/out" -D "$T/hdr" -w '%{http_code}' \
		--data-binary "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
}
assert_eq 401 "$(try lena wrong-password)" "wrong password"
assert_eq unauthorized "$(jq -r .error.code "$T/out")" "wrong password code"
assert_eq 401 "$(try nobody wrong-password)" "unknown user"
# Same message for an unknown user and a wrong password.
assert_eq "wrong user name or password" "$(jq -r .error.message "$T/out")" "message"

# Five failures in the window, then the account is throttled, even with the
# right password.
for i in 2 3 4 5; do try lena "wrong-$i" >/dev/null; done
assert_eq 429 "$(try lena login-pw-right)" "throttled login"
assert_eq throttled "$(jq -r .error.code "$T/out")" "throttled code"
grep -qi '^retry-after: [0-9]' "$T/hdr" || fail "no Retry-After header: $(cat "$T/hdr")"
assert_eq 5 "$(sqlq "SELECT count(*) FROM audit WHERE action='login' AND outcome='failed' AND actor='lena'")" \
	"failed logins audited"

api POST /api/v1/logout >/dev/null
assert_eq 200 "$HTTP_STATUS" "logout"
api GET /api/v1/me >/dev/null
assert_eq 401 "$HTTP_STATUS" "me after logout"
vigild_stop
