#!/bin/sh
# vigil demo whose terminal goes away (the window closed, the SSH link
# dropped: here the tmux session is killed, which hangs up its pty): the
# demo stops all it started and removes its directory, as when q is pressed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
. "$(dirname "$0")/demo.sh"
wait_until 30 rows_at_least 1 || fail "no alarm within 30 s: $(tui_screen demo)"

note "the window closes"
tui_tmux kill-session -t demo
wait_until 15 none_running "$DIR" || fail "a process of $DIR is still running: $(pgrep -a -f -- "$DIR")"
wait_until 15 none_running "$SIMPAT" || fail "the demo's vigil-sim is still running: $(pgrep -a -f -- "$SIMPAT")"
for p in $VIGILD $SIM; do
	running "$p" && fail "process $p of the demo is still running: $(ps -o pid,stat,args -p "$p")"
done
VIGILD=""
SIM=""
# vigil itself cleans up: it must not be killed half-way.
dir_gone() {
	[ ! -e "$DIR" ]
}
wait_until 15 dir_gone || fail "the demo directory is left behind: $(ls "$DIR" | tr '\n' ' ')"
exit 0
