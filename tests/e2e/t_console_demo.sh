#!/bin/sh
# vigil demo in tmux: the console comes up LIVE with alarms of the opening
# burst and the six demo guards; q leaves, and afterwards neither the
# demo's vigild nor its vigil-sim is running and its directory is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
. "$(dirname "$0")/demo.sh"
wait_until 30 rows_at_least 3 || fail "no burst of alarms within 30 s: $(tui_screen demo)"
wait_until 30 guards_listed || fail "the six demo guards are not all listed: $(tui_screen demo)"
tui_match demo 'GUARDS 6' || fail "the guards pane does not count six: $(tui_screen demo)"

# The demo's own server stayed up all along.
tui_match demo 'LIVE' || fail "the demo is no longer live: $(tui_screen demo)"

note "q leaves"
tui_keys demo q
tui_wait demo 30 'vigil exited 0'
wait_until 10 none_running "$DIR" || fail "a process of $DIR is still running: $(pgrep -a -f -- "$DIR")"
wait_until 10 none_running "$SIMPAT" || fail "the demo's vigil-sim is still running: $(pgrep -a -f -- "$SIMPAT")"
for p in $VIGILD $SIM; do
	running "$p" && fail "process $p of the demo is still running: $(ps -o pid,stat,args -p "$p")"
done
VIGILD=""
SIM=""
[ -e "$DIR" ] && fail "the demo directory is left behind: $(ls -la "$DIR")"
grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' "$T/demo.err" &&
	fail "vigil demo reported: $(cat "$T/demo.err")"
exit 0
