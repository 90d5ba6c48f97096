#!/bin/sh
# NO_COLOR=1 and TERM=vt100 show the same information as a colour run,
# without colour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"m1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"},
	{\"id\":\"m2\",\"point\":\"a-water\",\"type\":\"water_leak\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null

ESC=$(printf '\033')
has_colour() { # any SGR colour code (30-37, 40-47, 90-97, 38;5, 48;5) on screen
	tui_tmux capture-pane -e -p -t "$1" |
		grep -Eq "${ESC}\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)[;m]"
}

tui_start colour 100 30
tui_wait colour 15 'LIVE'
tui_wait colour 5 'water_leak'
has_colour colour || fail "the colour run shows no colour"
tui_start nocolour 100 30 NO_COLOR=1
tui_wait nocolour 15 'LIVE'
tui_wait nocolour 5 'water_leak'
has_colour nocolour && fail "NO_COLOR=1 shows colour: $(tui_tmux capture-pane -e -p -t nocolour | head -3 | od -c | head)"
TUI_TERM=vt100 tui_start vt 100 30
tui_wait vt 15 'LIVE'
tui_wait vt 5 'water_leak'
has_colour vt && fail "TERM=vt100 shows colour"

# The same information: the queue rows read the same, whatever the colours.
rows() { tui_screen "$1" | grep -E '^. +[0-9]+ P[0-9] ' | sed 's/P\([0-9]\) *[0-9][0-9smhd]* /P\1 AGE /' ; }
assert_eq "$(rows colour)" "$(rows nocolour)" "queue rows, NO_COLOR"
assert_eq "$(rows colour)" "$(rows vt)" "queue rows, vt100"
vigild_stop
