#!/bin/sh
# t_watch_auth.sh: "vigil login" stores the session privately, and "vigil
# watch" ends with a clear message and a sysexits status when it cannot
# follow the stream: no server configured (69), a bogus token, a token
# revoked while watching, a user who may not follow the stream (77), bad
# usage (64), an unusable VIGIL_URL or VIGIL_TOKEN (78).
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'auth-admin-pw-1\n' | user_add ines admin
printf 'auth-guard-pw-1\n' | user_add gus guard --guard T1
vigild_start

HOME=$T/home
XDG_STATE_HOME=$T/state
export HOME XDG_STATE_HOME
unset VIGIL_URL VIGIL_TOKEN
V=$VIGIL_BIN/vigil

# Run "$@" with a time limit, input from $IN (default none); sets RC,
# output in $T/out and $T/err.
run() {
	"$@" <"${IN:-/dev/null}" >"$T/out" 2>"$T/err" &
	_pid=$!
	PIDS="$PIDS $_pid"
	wait_exit "$_pid" 20 || fail "\"$*\" still running after 20 s: $(cat "$T/err")"
	RC=$WAIT_STATUS
}

# No server configured at all.
run "$V" watch
assert_eq 69 "$RC" "watch with no server configured"
assert_contains "$(cat "$T/err")" "no server configured" "message"
[ ! -s "$T/out" ] || fail "watch printed on stdout: $(cat "$T/out")"

# A server or token from the environment that cannot be used.
run env VIGIL_URL=ftp://127.0.0.1:1 VIGIL_TOKEN=abc "$V" watch
assert_eq 78 "$RC" "watch with an ftp VIGIL_URL"
run env VIGIL_URL="$URL" VIGIL_TOKEN='abc def' "$V" watch
assert_eq 78 "$RC" "watch with a VIGIL_TOKEN that cannot go in a header"

# Bad usage.
run "$V" watch --types 'alarm.*,BAD TYPE'
assert_eq 64 "$RC" "watch --types with a bad pattern"
run "$V" watch --since -3
assert_eq 64 "$RC" "watch --since -3"
run "$V" watch extra
assert_eq 64 "$RC" "watch with an extra argument"

# Login: wrong password, unreachable server, then the real thing.
printf 'ines\nwrong-password\n' >"$T/in"
IN=$T/in run "$V" login "$URL"
assert_eq 77 "$RC" "login with a wrong password"
assert_contains "$(cat "$T/err")" "wrong user name or password" "message"
[ ! -e "$XDG_STATE_HOME/vigil/session" ] || fail "a refused login stored a session"
printf 'auth-admin-pw-1\n' >"$T/in"
IN=$T/in run "$V" login http://127.0.0.1:1 --user ines
assert_eq 69 "$RC" "login to a closed port"
assert_contains "$(cat "$T/err")" "cannot reach" "message"
IN=$T/in run "$V" login "ftp://127.0.0.1:$PORT" --user ines
assert_eq 64 "$RC" "login to an ftp URL"
IN=$T/in run "$V" login "$URL" --user ines
assert_eq 0 "$RC" "login: $(cat "$T/err")"
assert_eq 700 "$(stat -c %a "$XDG_STATE_HOME/vigil")" "session directory mode"
assert_eq 600 "$(stat -c %a "$XDG_STATE_HOME/vigil/session")" "session file mode"
assert_eq "$URL ines" "$(jq -r '"\(.url) \(.user)"' "$XDG_STATE_HOME/vigil/session")" "stored session"
TOKEN=$(jq -r .token "$XDG_STATE_HOME/vigil/session")
[ ${#TOKEN} -eq 64 ] || fail "stored token: $TOKEN"

# A bogus token from the environment: refused at once, no retry.
run env VIGIL_TOKEN=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
	"$V" watch
assert_eq 77 "$RC" "watch with a bogus token"
assert_contains "$(cat "$T/err")" "refused" "message"
assert_contains "$(cat "$T/err")" "vigil login $URL" "hint"

# A token revoked while watching: the server says so at the next heartbeat.
"$V" watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH=$!
PIDS="$PIDS $WATCH"
sleep 1
alive "$WATCH" || fail "watch ended at once: $(cat "$T/watch.err")"
api POST /api/v1/logout >/dev/null
assert_eq 200 "$(last_status)" "logout through the API"
wait_exit "$WATCH" 20 || fail "watch still running 20 s after its token was revoked"
assert_eq 77 "$WAIT_STATUS" "watch after the token was revoked"
assert_contains "$(cat "$T/watch.err")" "refused" "message"

# A guard's account may not follow the stream.
printf 'auth-guard-pw-1\n' >"$T/in"
IN=$T/in run "$V" login "$URL" --user gus
assert_eq 0 "$RC" "guard login: $(cat "$T/err")"
run "$V" watch
assert_eq 77 "$RC" "watch as a guard"
assert_contains "$(cat "$T/err")" "guard" "message"

# Logout revokes on the server and forgets the session here.
TOKEN=$(jq -r .token "$XDG_STATE_HOME/vigil/session")
run "$V" logout
assert_eq 0 "$RC" "logout: $(cat "$T/err")"
[ ! -e "$XDG_STATE_HOME/vigil/session" ] || fail "logout left the session file"
api GET /api/v1/me >/dev/null
assert_eq 401 "$(last_status)" "the token after logout"
run "$V" watch
assert_eq 69 "$RC" "watch after logout"
