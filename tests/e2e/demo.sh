# demo.sh: start vigil demo inside tmux for the demo tests (sourced after
# lib.sh and tui.sh, after setup): sets DIR, DPORT, SIMPAT, VIGILD, SIM.
TMUX_SOCK=$T/tmux.sock
mkdir -p "$T/demo/state" "$T/demo/config"
DIR=""

# At the end, also whatever a failed demo left: its processes and directory.
tui_cleanup_hook() {
	tui_tmux kill-server 2>/dev/null
	for _p in ${VIGILD:-} ${SIM:-}; do
		kill -TERM "$_p" 2>/dev/null
	done
	case "$DIR" in
	/tmp/vigil-demo.*) sleep 1; rm -rf "$DIR" ;;
	esac
	return 0
}

# The demo's directory, from what vigil demo said on stderr.
demo_dir() {
	sed -n 's/^vigil demo: starting a private server in \(.*\)$/\1/p' "$T/demo.err" | head -n 1
}

# True once the demo's directory is known.
demo_dir_known() {
	[ -n "$(demo_dir)" ]
}

# The queue rows the demo's console shows.
rows() {
	tui_screen demo | grep -E '[ *]P[0-9] +[0-9]+[smhd][0-9]* .* riverside '
}

# True once at least $1 alarms are on the screen.
rows_at_least() {
	[ "$(rows | wc -l)" -ge "$1" ]
}

# True once every demo guard G1 to G6 is listed.
guards_listed() {
	_s=$(tui_screen demo)
	for _g in G1 G2 G3 G4 G5 G6; do
		printf '%s\n' "$_s" | grep -Eq "(^|[| │])$_g " || return 1
	done
}

# True when process $1 runs (a zombie waiting for its reaper does not count).
running() {
	_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$_st" in ''|Z*) return 1 ;; esac
	return 0
}

# True when no process holds $1 in its command line.
none_running() {
	! pgrep -f -- "$1" >/dev/null 2>&1
}

# vigil demo takes no server or token from us: only a private home.
tui_tmux new-session -d -s demo -x 160 -y 45 \
	"env -u VIGIL_URL -u VIGIL_TOKEN TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	XDG_STATE_HOME=$T/demo/state XDG_CONFIG_HOME=$T/demo/config \
	$VIGIL_BIN/vigil demo 2>$T/demo.err; echo vigil exited \$?; sleep 600" ||
	fail "tmux did not start"
tui_tmux set-option -t demo -g status off >/dev/null 2>&1

wait_until 20 demo_dir_known || fail "vigil demo did not say where it runs: $(cat "$T/demo.err")"
DIR=$(demo_dir)
note "demo directory $DIR"
case "$DIR" in /*vigil-demo*) ;; *) fail "an odd demo directory: $DIR" ;; esac
tui_wait demo 30 'LIVE'
tui_wait demo 5 'demo \(dispatcher\)'

# The processes of this demo: vigild holds the directory in its command
# line, vigil-sim the server's URL.  Cleanup stops them if the test fails
# before they are seen gone.
wait_until 10 [ -s "$DIR/port" ] || fail "no port file in $DIR"
DPORT=$(cat "$DIR/port")
SIMPAT="vigil-sim --url http://127.0.0.1:$DPORT "
VIGILD=$(pgrep -f -- "$DIR/vigil.db")
SIM=$(pgrep -f -- "$SIMPAT")
[ -n "$VIGILD" ] || fail "no vigild of the demo is running"
[ -n "$SIM" ] || fail "no vigil-sim of the demo is running"
note "demo vigild $VIGILD, vigil-sim $SIM, port $DPORT"

