#!/bin/sh
# t_watch_stale.sh: a watcher knows when the server has gone silent.
#
# vigild is frozen (SIGSTOP): no heartbeat comes, so after two heartbeat
# periods the watcher says the server is silent; thawed soon enough, the
# same connection goes on.  Frozen longer, the watcher drops the connection
# and reconnects once the server is back, resuming without a gap.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'stale-admin-pw-1\n' | user_add sam admin
vigild_start
TOKEN=$(login sam stale-admin-pw-1)
HOME=$T
XDG_STATE_HOME=$T/state
export HOME XDG_STATE_HOME
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
N=0
send() { # send POINT TYPE as gateway A
	N=$((N + 1))
	curl -s -m 10 -o /dev/null -u gw-test-a:test-gateway-a-secret-0123456789 \
		--data-binary "{\"events\":[{\"id\":\"st-$N\",\"point\":\"$1\",\"type\":\"$2\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest" || fail "cannot send event st-$N"
}
said() { # said TEXT [COUNT]: the watcher said TEXT at least COUNT times
	_n=$(grep -c "$1" "$T/watch.err" 2>/dev/null)
	[ "${_n:-0}" -ge "${2:-1}" ]
}
logged() {
	grep -q "$1" "$T/watch.log" 2>/dev/null
}
thaw() {
	kill -CONT "$VIGILD_PID" 2>/dev/null
}

send a-door forced
spawn env VIGIL_URL="$URL" VIGIL_TOKEN="$TOKEN" "$VIGIL_BIN/vigil" \
	--log "$T/watch.log" watch --since 0 >"$T/watch.out" 2>"$T/watch.err"
WATCH=$LAST_PID
wait_until 15 logged 'stream: connected as sam' || fail "the watcher did not connect"

# Frozen for a while: STALE after two heartbeats, then heard again.
kill -STOP "$VIGILD_PID"
wait_until 20 said 'no word from the server' || { thaw; fail "no staleness after 20 s: $(cat "$T/watch.err")"; }
thaw
wait_until 15 said 'the server is heard again' || fail "not heard again: $(cat "$T/watch.err")"
said reconnecting && fail "the watcher reconnected after a short freeze"

# Frozen longer: the watcher gives the connection up, and comes back.
send a-water water_leak
kill -STOP "$VIGILD_PID"
wait_until 40 logged 'silent too long' || { thaw; fail "the watcher kept a silent connection: $(cat "$T/watch.err")"; }
said reconnecting || { thaw; fail "no word of the reconnection: $(cat "$T/watch.err")"; }
thaw
wait_until 40 said 'reconnected to' || fail "the watcher did not reconnect: $(cat "$T/watch.err")"
send b-window forced
LAST=$(sqlq "SELECT MAX(seq) FROM stream")
at_last() {
	[ "$(tail -n 1 "$T/watch.out" | jq -r '.seq // 0')" = "$LAST" ]
}
wait_until 15 at_last || fail "the watcher is at seq $(tail -n 1 "$T/watch.out" | jq -r .seq), the log at $LAST"
assert_eq "$(sqlq 'SELECT seq FROM stream ORDER BY seq' | tr '\n' ' ')" \
	"$(jq -r .seq "$T/watch.out" | tr '\n' ' ')" "seqs printed"
kill -TERM "$WATCH"
wait_exit "$WATCH" 10 || fail "the watcher did not stop"
assert_eq 0 "$WAIT_STATUS" "watcher exit status"
vigild_stop
