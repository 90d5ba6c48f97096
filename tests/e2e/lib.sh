# lib.sh: helpers for the end-to-end tests (POSIX sh); source it, then setup.
#
#   . "$(dirname "$0")/lib.sh"
#   setup                       private dir $T, database $DB, cleanup on exit
#   test_timeout 90             fail the test if it runs longer
#   site_import FILE            before or while vigild runs
#   vigild_start                sets PORT and URL; reuses PORT when set
#   spawn CMD... >LOG 2>&1      start a background process, killed at the end
#
# tests/run.sh sets VIGIL_TOP (the source tree) and VIGIL_BIN (the binaries);
# run alone, a test uses build/check/bin, or bin/ when that is missing.
# Nothing here uses a fixed port: vigild binds port 0 and writes its port
# to a file.  A failing test keeps $T and prints the tail of vigild's log.

VIGIL_TOP=${VIGIL_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${VIGIL_BIN:-}" ]; then
	VIGIL_BIN=$VIGIL_TOP/build/check/bin
	[ -x "$VIGIL_BIN/vigild" ] || VIGIL_BIN=$VIGIL_TOP/bin
fi
TEST_NAME=$(basename "$0" .sh)
LC_ALL=C
export LC_ALL
PIDS=""
VIGILD_PID=""
TOKEN=""
HTTP_STATUS=""

# Print a failure message naming the test and exit 1 (cleanup does the rest).
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# Print a progress line.
note() {
	echo "$TEST_NAME: $*"
}

# Make the private directory $T, set DB, and clean up on every exit.
setup() {
	mkdir -p "$VIGIL_TOP/tests/tmp" || exit 1
	T=$(mktemp -d "$VIGIL_TOP/tests/tmp/$TEST_NAME.XXXXXX") ||
		{ echo "FAIL: $TEST_NAME: mktemp failed" >&2; exit 1; }
	DB=$T/vigil.db
	[ -x "$VIGIL_BIN/vigild" ] || fail "no vigild in $VIGIL_BIN (run make first)"
	trap 'lib_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'fail "timed out after ${TEST_TIMEOUT:-?} s"' USR1
}

# Fail the test when it is still running after $1 seconds.
test_timeout() {
	TEST_TIMEOUT=$1
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$1" &
		sp=$!
		wait $sp && kill -USR1 $$ 2>/dev/null
	) &
	PIDS="$PIDS $!"
}

# Start "$@" in the background (redirect the call to choose its output) and
# remember it so that cleanup kills it; its pid is in LAST_PID.
spawn() {
	"$@" &
	LAST_PID=$!
	PIDS="$PIDS $LAST_PID"
}

# Forget pid $1 (after it was waited for), so cleanup never signals a stranger.
forget() {
	_left=""
	for _p in $PIDS; do
		[ "$_p" = "$1" ] || _left="$_left $_p"
	done
	PIDS=$_left
}

# True while process $1 is running.
alive() {
	kill -0 "$1" 2>/dev/null
}

# Wait for process $1 to end within $2 seconds; sets WAIT_STATUS; false on timeout.
wait_exit() {
	wait_until "$2" lib_dead "$1" || return 1
	wait "$1" 2>/dev/null
	WAIT_STATUS=$?
	forget "$1"
	return 0
}

# True once process $1 has ended.
lib_dead() {
	! alive "$1"
}

# Kill every process the test started, then keep or remove $T.
lib_cleanup() {
	_rc=$?
	trap - EXIT INT TERM USR1
	# A test that started tmux (tui.sh) stops it too.
	command -v tui_cleanup_hook >/dev/null 2>&1 && tui_cleanup_hook
	for _p in $PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		_any=""
		for _p in $PIDS; do
			alive "$_p" && _any=1
		done
		[ -z "$_any" ] && break
		sleep 0.1
	done
	for _p in $PIDS; do
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	if [ "$_rc" -ne 0 ]; then
		if [ -s "${T:-}/vigild.log" ]; then
			echo "--- last lines of $T/vigild.log ---" >&2
			tail -n 30 "$T/vigild.log" >&2
		fi
		echo "test files kept in ${T:-?}" >&2
	elif [ -n "${T:-}" ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	fi
	exit "$_rc"
}

# Run "$@" every $WAIT_POLL (0.1) s until it succeeds (0) or $1 seconds pass (1).
wait_until() {
	_limit=$1
	shift
	_end=$(( $(date +%s) + _limit ))
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep "${WAIT_POLL:-0.1}"
	done
}

# True when vigild answers HTTP on $URL at all.
vigild_answers() {
	_code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$URL/api/v1/me")
	[ -n "$_code" ] && [ "$_code" != "000" ]
}

# True once vigild wrote its port file, or died trying.
lib_port_written() {
	[ -s "$T/port" ] || ! alive "$VIGILD_PID"
}

# Start vigild on $DB in the background, log in $T/vigild.log; set PORT, URL.
# With PORT set (a restart), the same port is bound again; a port still
# held by the previous process is retried for a few seconds.
vigild_start() {
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		rm -f "$T/port"
		echo "--- vigild start $(date '+%H:%M:%S') port ${PORT:-0}" >>"$T/vigild.log"
		spawn "$VIGIL_BIN/vigild" --db "$DB" --listen "127.0.0.1:${PORT:-0}" \
			--port-file "$T/port" >>"$T/vigild.log" 2>&1
		VIGILD_PID=$LAST_PID
		wait_until 20 lib_port_written ||
			fail "vigild wrote no port file in 20 s"
		alive "$VIGILD_PID" && [ -s "$T/port" ] && break
		wait "$VIGILD_PID" 2>/dev/null
		forget "$VIGILD_PID"
		[ -n "${PORT:-}" ] && [ "$_try" -lt 10 ] ||
			fail "vigild exited at start (see its log)"
		sleep 0.5
	done
	PORT=$(cat "$T/port")
	URL="http://127.0.0.1:$PORT"
	wait_until 20 vigild_answers || fail "vigild does not answer on $URL"
}

# Kill vigild with SIGKILL, as a crash or a power cut would.
vigild_kill9() {
	[ -n "$VIGILD_PID" ] || fail "vigild_kill9: vigild is not running"
	kill -KILL "$VIGILD_PID" 2>/dev/null
	wait "$VIGILD_PID" 2>/dev/null
	forget "$VIGILD_PID"
	echo "--- vigild killed with SIGKILL $(date '+%H:%M:%S')" >>"$T/vigild.log"
	VIGILD_PID=""
}

# Stop vigild with SIGTERM and wait for it; fail when it does not stop cleanly.
vigild_stop() {
	[ -n "$VIGILD_PID" ] || return 0
	kill -TERM "$VIGILD_PID" 2>/dev/null
	wait_exit "$VIGILD_PID" 20 || fail "vigild did not stop within 20 s of SIGTERM"
	VIGILD_PID=""
	[ "$WAIT_STATUS" -eq 0 ] || fail "vigild exited with status $WAIT_STATUS on SIGTERM"
}

# Import a site file into $DB.
site_import() {
	"$VIGIL_BIN/vigild" --db "$DB" site import "$1" >>"$T/vigild.log" 2>&1 ||
		fail "site import $1 failed (see its log)"
}

# Add user $1 with role $2 and further options ("--site KEY", "--guard G1");
# the password is read from standard input.
user_add() {
	_name=$1
	_role=$2
	shift 2
	"$VIGIL_BIN/vigild" --db "$DB" user add "$_name" --role "$_role" "$@" \
		>>"$T/vigild.log" 2>&1 || fail "user add $_name failed (see its log)"
}

# Log in as $1 with password $2 and print the session token.
login() {
	_body=$(jq -cn --arg u "$1" --arg p "$2" '{user: $u, password: $p}')
	_out=$(curl -s -m 10 -X POST -H 'Content-Type: application/json' \
		--data-binary "$_body" "$URL/api/v1/login") || fail "login $1: no reply"
	_tok=$(printf '%s' "$_out" | jq -r '.token // empty' 2>/dev/null)
	[ -n "$_tok" ] || fail "login $1 failed: $_out"
	printf '%s\n' "$_tok"
}

# The people of the role tests, before vigild_start: root (admin), sue
# (supervisor), dora (dispatcher), mia (manager of site $1), max (manager
# of site $2) and gus (guard T1).
role_users() {
	printf 'role-pw-admin\n' | user_add root admin
	printf 'role-pw-super\n' | user_add sue supervisor
	printf 'role-pw-disp\n' | user_add dora dispatcher
	printf 'role-pw-mgr\n' | user_add mia manager --site "$1"
	printf 'role-pw-mgr2\n' | user_add max manager --site "$2"
	printf 'role-pw-guard\n' | user_add gus guard --guard T1
}

# Log the role_users in, after vigild_start: their tokens in TOK_admin,
# TOK_super, TOK_disp, TOK_mgr, TOK_mgr2 and TOK_guard; TOK_none is empty.
role_logins() {
	TOK_admin=$(login root role-pw-admin)
	TOK_super=$(login sue role-pw-super)
	TOK_disp=$(login dora role-pw-disp)
	TOK_mgr=$(login mia role-pw-mgr)
	TOK_mgr2=$(login max role-pw-mgr2)
	TOK_guard=$(login gus role-pw-guard)
	TOK_none=""
}

# Call the API as $TOKEN: api METHOD PATH [BODY].  Prints the reply body
# and sets HTTP_STATUS; inside $(...) the variable is lost with the subshell,
# so read it back with last_status.
api() {
	_method=$1
	_path=$2
	_auth="X-No-Auth: 1"
	[ -n "${TOKEN:-}" ] && _auth="Authorization: Bearer $TOKEN"
	rm -f "$T/.api_body"
	if [ $# -ge 3 ]; then
		HTTP_STATUS=$(curl -s -m 20 -X "$_method" -o "$T/.api_body" \
			-w '%{http_code}' -H "$_auth" \
			-H 'Content-Type: application/json' --data-binary "$3" \
			"$URL$_path")
	else
		HTTP_STATUS=$(curl -s -m 20 -X "$_method" -o "$T/.api_body" \
			-w '%{http_code}' -H "$_auth" "$URL$_path")
	fi
	printf '%s\n' "$HTTP_STATUS" >"$T/.api_status"
	[ -f "$T/.api_body" ] && cat "$T/.api_body"
	return 0
}

# The HTTP status of the last api call, also from a subshell.
last_status() {
	cat "$T/.api_status" 2>/dev/null
}

# Run one SQL statement on the test database and print the rows (| between columns).
sqlq() {
	sqlite3 -batch -noheader -cmd '.timeout 10000' "$DB" "$1" ||
		fail "sqlq failed: $1"
}

# Fail unless $1 (expected) equals $2 (actual); $3 says what was compared.
assert_eq() {
	[ "$1" = "$2" ] ||
		fail "${3:-value}: expected \"$1\", got \"$2\""
}

# Fail unless $1 contains $2; $3 says what was looked at.
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-text}: expected to contain \"$2\", got \"$1\"" ;;
	esac
}
