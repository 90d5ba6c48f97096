# tui.sh: drive the real vigil console inside tmux (sourced after lib.sh).
#
#   tui_start NAME COLS ROWS [VAR=value...]   vigil in its own tmux session
#   tui_keys NAME KEY...                     tmux send-keys
#   tui_screen NAME                          what the pane shows now
#   tui_wait NAME SECONDS REGEX              until the screen matches
#   tui_resize NAME COLS ROWS
#
# Each test's tmux runs on a private socket with no configuration, like
# tmux's own regress tests; VIGIL_URL and VIGIL_TOKEN point vigil at the
# test's vigild; its state and config directories are private too.
TMUX_SOCK=
TMUX_BIN=${TMUX_BIN:-tmux}

tui_tmux() {
	"$TMUX_BIN" -S "$TMUX_SOCK" -f /dev/null "$@"
}

tui_cleanup_hook() {
	[ -n "$TMUX_SOCK" ] && tui_tmux kill-server 2>/dev/null
	return 0
}

# Start vigil in session NAME at COLS x ROWS; more args are VAR=value for its environment.
tui_start() {
	_name=$1
	_cols=$2
	_rows=$3
	shift 3
	[ -n "$TMUX_SOCK" ] || TMUX_SOCK=$T/tmux.sock
	mkdir -p "$T/$_name/state" "$T/$_name/config"
	_envs="TERM=${TUI_TERM:-screen-256color} LANG=${TUI_LANG:-C.UTF-8} LC_ALL=${TUI_LANG:-C.UTF-8}"
	_envs="$_envs XDG_STATE_HOME=$T/$_name/state XDG_CONFIG_HOME=$T/$_name/config"
	_envs="$_envs VIGIL_URL=$URL VIGIL_TOKEN=$TOKEN"
	for _e in "$@"; do
		_envs="$_envs $_e"
	done
	if ! tui_tmux has-session 2>/dev/null; then
		tui_tmux new-session -d -s "$_name" -x "$_cols" -y "$_rows" \
			"env $_envs $VIGIL_BIN/vigil; echo vigil exited \$?; sleep 600" ||
			fail "tmux did not start"
	else
		tui_tmux new-session -d -s "$_name" -x "$_cols" -y "$_rows" \
			"env $_envs $VIGIL_BIN/vigil; echo vigil exited \$?; sleep 600" ||
			fail "tmux did not start"
	fi
	tui_tmux set-option -t "$_name" -g status off >/dev/null 2>&1
	tui_tmux resize-window -t "$_name" -x "$_cols" -y "$_rows" >/dev/null 2>&1
}

# Send keys to session NAME.
tui_keys() {
	_name=$1
	shift
	tui_tmux send-keys -t "$_name" "$@"
}

# Print what session NAME's pane shows.
tui_screen() {
	tui_tmux capture-pane -p -t "$1"
}

tui_match() {
	tui_screen "$1" | grep -Eq "$2"
}

# Wait up to SECONDS for session NAME's screen to match REGEX; fail with the screen otherwise.
tui_wait() {
	wait_until "$2" tui_match "$1" "$3" ||
		fail "screen of $1 never matched /$3/ in $2 s; it shows:
$(tui_screen "$1")"
}

# Resize session NAME's window.
tui_resize() {
	tui_tmux resize-window -t "$1" -x "$2" -y "$3"
}
