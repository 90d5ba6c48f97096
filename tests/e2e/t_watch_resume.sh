#!/bin/sh
# t_watch_resume.sh: "vigil watch" keeps going across server restarts without
# a gap or a duplicate.
#
# An administrator's watcher (unscoped: it sees every seq) follows the stream
# while vigil-sim sends a storm of events.  vigild is stopped cleanly and
# restarted, then killed with SIGKILL and restarted, both during the storm.
# Once the storm is over and the watcher has caught up, the seqs it printed
# must be exactly the server's log: every seq once, in order.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 150

SITE=$VIGIL_TOP/tests/e2e/data/small.site
OUT=$T/watch.out
site_import "$SITE"
printf 'watch-admin-pw-1\n' | user_add wanda admin
vigild_start
note "vigild on $URL"

# The watcher's session lives in the test directory only.
HOME=$T
XDG_STATE_HOME=$T/state
export HOME XDG_STATE_HOME
unset VIGIL_URL VIGIL_TOKEN
printf 'wanda\nwatch-admin-pw-1\n' | "$VIGIL_BIN/vigil" login "$URL" \
	>"$T/login.out" 2>&1 || fail "vigil login: $(cat "$T/login.out")"

lines() {
	[ -f "$OUT" ] && wc -l <"$OUT" | tr -d ' ' || echo 0
}
# True once the watcher printed at least $1 lines, or died.
printed() {
	[ "$(lines)" -ge "$1" ] || ! alive "$WATCH"
}
# True once the watcher's log says it (re)connected $1 times.
connected() {
	_n=$(grep -c 'stream: connected as wanda' "$T/watch.log" 2>/dev/null)
	[ "${_n:-0}" -ge "$1" ] || ! alive "$WATCH"
}

spawn "$VIGIL_BIN/vigil" --log "$T/watch.log" watch --since 0 >"$OUT" 2>"$T/watch.err"
WATCH=$LAST_PID
wait_until 20 connected 1 || fail "the watcher did not connect: $(cat "$T/watch.err")"

spawn "$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --batch 20 --rate 150 \
	--run-id resume --quiet >"$T/sim.out" 2>"$T/sim.err"
SIM=$LAST_PID

# Restart 1: a clean stop in the middle of the storm.
wait_until 30 printed 300 || fail "the watcher printed only $(lines) lines in 30 s"
alive "$WATCH" || fail "the watcher died: $(cat "$T/watch.err")"
vigild_stop
note "vigild stopped with $(lines) lines printed"
sleep 1
vigild_start
wait_until 30 connected 2 || fail "the watcher did not reconnect after a clean restart"
n=$(lines)
note "reconnected after a clean restart at $n lines"

# Restart 2: a crash in the middle of the storm.
wait_until 30 printed $((n + 300)) || fail "no progress after the first restart ($(lines) lines)"
vigild_kill9
note "vigild killed with $(lines) lines printed"
sleep 1
vigild_start
wait_until 30 connected 3 || fail "the watcher did not reconnect after a crash"
n=$(lines)
note "reconnected after a crash at $n lines"
wait_until 30 printed $((n + 200)) || fail "no progress after the second restart ($(lines) lines)"

# End of the storm; the watcher catches up with the log's head.
kill -TERM "$SIM"
wait_exit "$SIM" 30 || fail "vigil-sim did not stop"
HEAD=$(sqlq "SELECT COALESCE(MAX(seq), 0) FROM stream")
caught_up() {
	[ "$(tail -n 1 "$OUT" | jq -r '.seq // 0' 2>/dev/null)" = "$HEAD" ] || ! alive "$WATCH"
}
wait_until 30 caught_up || fail "the watcher stopped at seq $(tail -n 1 "$OUT" | jq -r .seq), head is $HEAD"
alive "$WATCH" || fail "the watcher died: $(cat "$T/watch.err")"
kill -TERM "$WATCH"
wait_exit "$WATCH" 15 || fail "the watcher did not stop on SIGTERM"
assert_eq 0 "$WAIT_STATUS" "watcher exit status on SIGTERM"

# Every line is one compact JSON change message.
jq -e -c 'select((.seq | type) != "number" or (.type | type) != "string")' \
	"$OUT" >"$T/odd" || true
[ ! -s "$T/odd" ] || fail "lines that are not change messages: $(head -n 2 "$T/odd")"
grep -q '"type":"resync"' "$OUT" && fail "the watcher had to resync: $(grep resync "$OUT" | head -n 1)"

# The seqs printed are the server's log, each once and in order.
jq -r .seq "$OUT" >"$T/got"
sqlq "SELECT seq FROM stream ORDER BY seq" >"$T/want"
total=$(wc -l <"$T/want" | tr -d ' ')
[ "$total" -ge 800 ] || fail "only $total messages in the log: the storm was too small"
if ! cmp -s "$T/want" "$T/got"; then
	dups=$(sort -n "$T/got" | uniq -d | head -n 3 | tr '\n' ' ')
	sort "$T/want" >"$T/want.s"
	sort -u "$T/got" >"$T/got.s"
	missing=$(comm -23 "$T/want.s" "$T/got.s" | head -n 3 | tr '\n' ' ')
	fail "printed seqs differ from the log ($total): duplicates: ${dups:-none}; missing: ${missing:-none}"
fi
grep -q 'again (last' "$T/watch.log" && fail "the server sent a seq twice: $(grep 'again (last' "$T/watch.log" | head -n 1)"

# The watcher told its user about both outages.
assert_eq 2 "$(grep -c 'reconnected to' "$T/watch.err")" "reconnection messages"
note "$total messages, each printed once, in order, across 2 restarts"
