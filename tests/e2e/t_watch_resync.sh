#!/bin/sh
# t_watch_resync.sh: "vigil watch" prints a resync line and carries on from
# the server's current state when it cannot be brought up to date, and its
# --types and --site filters print exactly the messages they name.
#
# A watcher asks for messages after a seq the server's log never reached (as
# after the server's database was replaced): it must print one resync line,
# then every new change, from the head on.  A manager's watcher (scoped) and
# filtered watchers run alongside.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
printf 'resync-admin-pw-1\n' | user_add rae admin
printf 'resync-mgr-pw-1\n' | user_add max manager --site harbour
vigild_start
ADM=$(login rae resync-admin-pw-1)
MGR=$(login max resync-mgr-pw-1)
unset VIGIL_URL VIGIL_TOKEN
HOME=$T
XDG_STATE_HOME=$T/state
export HOME XDG_STATE_HOME
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
A=gw-test-a:test-gateway-a-secret-0123456789
H=gw-harbour:harbour-gateway-secret-0123456789abcdef

send() { # send GATEWAY:SECRET POINT ID TYPE
	out=$(curl -s -m 10 -u "$1" --data-binary \
		"{\"events\":[{\"id\":\"$3\",\"point\":\"$2\",\"type\":\"$4\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest")
	assert_eq alarm "$(echo "$out" | jq -r '.results[0].class')" "event $3: $out"
}
watcher() { # watcher NAME TOKEN ARGS...: start vigil watch, output in $T/NAME.out
	_name=$1
	_tok=$2
	shift 2
	spawn env VIGIL_URL="$URL" VIGIL_TOKEN="$_tok" "$VIGIL_BIN/vigil" \
		--log "$T/$_name.log" watch "$@" >"$T/$_name.out" 2>"$T/$_name.err"
}
lines() {
	wc -l <"$T/$1.out" | tr -d ' '
}

# Some history first.
send "$A" a-door r1 forced
send "$H" h-door r2 forced
HEAD=$(sqlq "SELECT MAX(seq) FROM stream")

watcher ahead "$ADM" --since $((HEAD + 1000))
watcher all "$ADM" --since 0
watcher alarms "$ADM" --since 0 --types 'alarm.*' --site harbour
watcher mgr "$MGR" --since 0
has_resync() {
	[ "$(lines ahead)" -ge 1 ]
}
wait_until 15 has_resync || fail "no resync line: $(cat "$T/ahead.err")"
# Let the watcher fetch its snapshot seq and reconnect before the news.
reconnected() {
	[ "$(grep -c 'stream: connected as rae' "$T/ahead.log")" -ge 1 ]
}
wait_until 15 reconnected || fail "the watcher did not reconnect after the resync: $(cat "$T/ahead.err")"

send "$A" a-door r3 tamper
send "$H" h-door r4 tamper
send "$A" a-water r5 water_leak
LAST=$(sqlq "SELECT MAX(seq) FROM stream")
done_all() {
	[ "$(tail -n 1 "$T/ahead.out" | jq -r '.seq // 0')" = "$LAST" ] &&
		[ "$(tail -n 1 "$T/all.out" | jq -r '.seq // 0')" = "$LAST" ]
}
wait_until 15 done_all || fail "the watchers did not reach seq $LAST"
sleep 1

# The watcher from the future: one resync line, then the new changes only.
assert_eq resync "$(head -n 1 "$T/ahead.out" | jq -r .type)" "first line"
head -n 1 "$T/ahead.out" | jq -e '.data.reason | length > 0' >/dev/null ||
	fail "the resync line has no reason: $(head -n 1 "$T/ahead.out")"
assert_eq "$(sqlq "SELECT seq FROM stream WHERE seq > $HEAD ORDER BY seq" | tr '\n' ' ')" \
	"$(tail -n +2 "$T/ahead.out" | jq -r .seq | tr '\n' ' ')" "seqs after the resync"
assert_contains "$(cat "$T/ahead.err")" "resync" "message on stderr"

# The unfiltered watcher: everything, in order.
assert_eq "$(sqlq 'SELECT seq FROM stream ORDER BY seq' | tr '\n' ' ')" \
	"$(jq -r .seq "$T/all.out" | tr '\n' ' ')" "seqs of the unfiltered watcher"

# The filtered one: alarm messages of harbour, nothing else.
assert_eq "$(sqlq "SELECT l.seq FROM stream l JOIN sites s ON s.id = l.site_id
	WHERE s.key = 'harbour' AND l.type LIKE 'alarm.%' ORDER BY l.seq" | tr '\n' ' ')" \
	"$(jq -r .seq "$T/alarms.out" | tr '\n' ' ')" "seqs of --types 'alarm.*' --site harbour"
[ "$(lines alarms)" -ge 2 ] || fail "the filtered watcher printed $(lines alarms) lines"

# The manager's: only harbour, with holes in the seqs, and no resync.
assert_eq "harbour " "$(jq -r .site "$T/mgr.out" | sort -u | tr '\n' ' ')" "sites of the manager's watcher"
assert_eq "$(sqlq "SELECT l.seq FROM stream l JOIN sites s ON s.id = l.site_id
	WHERE s.key = 'harbour' ORDER BY l.seq" | tr '\n' ' ')" \
	"$(jq -r .seq "$T/mgr.out" | tr '\n' ' ')" "seqs of the manager's watcher"
vigild_stop
