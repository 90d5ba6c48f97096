#!/bin/sh
# The console inside GNU screen at its default 80x24 (TERM=screen, a multiplexer other than
# tmux): the dashboard is drawn, keys act, and q restores the terminal.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"s1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
SCREENDIR=$T/screens
mkdir -p "$SCREENDIR"
chmod 700 "$SCREENDIR"
export SCREENDIR
S=vigil-$$

screen_stop() {
	screen -S "$S" -X quit >/dev/null 2>&1
}
tui_cleanup_hook() {
	screen_stop
}
hardcopy() {
	rm -f "$T/hc"
	screen -S "$S" -X hardcopy "$T/hc" >/dev/null 2>&1
	wait_until 5 test -s "$T/hc"
	cat "$T/hc" 2>/dev/null
}
shows() {
	hardcopy | grep -Eq "$1"
}

cat >"$T/screenrc" <<EOS
term screen
defutf8 on
startup_message off
EOS
env LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config" \
	VIGIL_URL="$URL" VIGIL_TOKEN="$TOKEN" \
	screen -c "$T/screenrc" -dmS "$S" -U sh -c "$VIGIL_BIN/vigil; echo vigil exited \$?; sleep 60"
wait_until 15 shows 'LIVE' || fail "no LIVE in screen: $(hardcopy)"
wait_until 5 shows 'A block door' || fail "the alarm is not shown in screen: $(hardcopy)"
screen -S "$S" -X stuff 'a'
wait_until 5 shows 'forced .* ack' || fail "a did not acknowledge in screen: $(hardcopy)"
assert_eq acknowledged "$(api GET "/api/v1/alarms/$ID" | jq -r .alarm.state)" "state after a"
screen -S "$S" -X stuff 'q'
wait_until 5 shows 'vigil exited 0' || fail "q did not leave: $(hardcopy)"
screen_stop
vigild_stop
