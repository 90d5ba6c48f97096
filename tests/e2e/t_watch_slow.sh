#!/bin/sh
# t_watch_slow.sh: a watcher whose reader stops reading falls behind; the
# server gives up on it with a resync, and the watcher carries on.
#
# The watcher's output goes into a pipe nobody reads while vigil-sim sends
# a storm: the watcher blocks on the pipe, the server's queue for it
# overflows and the server sends "resync" and closes.  Once the reader
# reads again, the output must be: every seq from the start without a gap,
# the resync line, then every seq after a snapshot seq without a gap, up to
# the head.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 150
SITE=$VIGIL_TOP/tests/e2e/data/small.site
site_import "$SITE"
printf 'slow-admin-pw-1\n' | user_add sol admin
vigild_start
TOKEN=$(login sol slow-admin-pw-1)
HOME=$T
XDG_STATE_HOME=$T/state
export HOME XDG_STATE_HOME URL TOKEN T VIGIL_BIN

# The watcher writes into a pipe whose reader waits for $T/go.
spawn sh -c '
	sh -c "echo \$\$ >\"$T/watch.pid\"; exec env VIGIL_URL=\"$URL\" \
	    VIGIL_TOKEN=\"$TOKEN\" \"$VIGIL_BIN/vigil\" --log \"$T/watch.log\" \
	    watch --since 0 2>\"$T/watch.err\"" |
	{ while [ ! -e "$T/go" ]; do sleep 0.2; done; cat; } >"$T/watch.out"'
PIPELINE=$LAST_PID
logged() {
	grep -q "$1" "$2" 2>/dev/null
}
wait_until 15 logged 'stream: connected as sol' "$T/watch.log" ||
	fail "the watcher did not connect"
WATCH=$(cat "$T/watch.pid")
PIDS="$PIDS $WATCH"

# Every tamper event raises or groups an alarm: one stream message each.
spawn "$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --batch 200 --types tamper \
	--events 30000 --run-id slow --quiet >"$T/sim.out" 2>"$T/sim.err"
SIM=$LAST_PID
slow() {
	logged 'is too slow' "$T/vigild.log" || ! alive "$SIM"
}
wait_until 90 slow || fail "no resync after 90 s of storm"
logged 'is too slow' "$T/vigild.log" ||
	fail "the storm ended without overflowing the watcher's queue ($(sqlq 'SELECT count(*) FROM stream') messages)"
alive "$WATCH" || fail "the watcher died: $(cat "$T/watch.err")"
touch "$T/go"
wait_exit "$SIM" 90 || fail "vigil-sim did not finish"
wait_until 30 logged 'continuing from seq' "$T/watch.err" ||
	fail "the watcher did not continue after the resync: $(cat "$T/watch.err")"

# A few changes after the storm, for the watcher to print once it is back.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3; do
	curl -s -m 10 -o /dev/null -u gw-test-b:test-gateway-b-secret-0123456789 \
		--data-binary "{\"events\":[{\"id\":\"after-$i\",\"point\":\"b-window\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest" || fail "cannot send event after-$i"
done
HEAD=$(sqlq "SELECT MAX(seq) FROM stream")
at_head() {
	[ "$(tail -n 1 "$T/watch.out" | jq -r '.seq // 0' 2>/dev/null)" = "$HEAD" ] ||
		! alive "$WATCH"
}
wait_until 60 at_head || fail "the watcher stopped at $(tail -n 1 "$T/watch.out" | cut -c 1-60), the head is $HEAD"
alive "$WATCH" || fail "the watcher died: $(cat "$T/watch.err")"

# One resync line: before it seqs 1..K, after it S+1..HEAD with S >= K.
assert_eq 1 "$(grep -c '"type":"resync"' "$T/watch.out")" "resync lines"
line=$(grep -n '"type":"resync"' "$T/watch.out" | cut -d : -f 1)
head -n $((line - 1)) "$T/watch.out" | jq -r .seq >"$T/before"
tail -n +$((line + 1)) "$T/watch.out" | jq -r .seq >"$T/after"
K=$(tail -n 1 "$T/before")
S=$(($(head -n 1 "$T/after") - 1))
note "printed 1..$K, resync, $((S + 1))..$HEAD"
[ "$K" -ge 1 ] || fail "nothing printed before the resync"
seq 1 "$K" | cmp -s - "$T/before" || fail "the seqs before the resync are not 1..$K"
[ "$S" -ge "$K" ] || fail "after the resync the watcher went back to seq $((S + 1)) (had $K)"
seq $((S + 1)) "$HEAD" | cmp -s - "$T/after" || fail "the seqs after the resync are not $((S + 1))..$HEAD"
assert_contains "$(sed -n "${line}p" "$T/watch.out")" "behind" "the resync's reason"
assert_contains "$(cat "$T/watch.err")" "continuing from seq $S" "message on stderr"

kill -TERM "$WATCH"
wait_exit "$PIPELINE" 15 || fail "the watcher did not stop"
vigild_stop
