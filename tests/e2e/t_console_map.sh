#!/bin/sh
# The site map in the console, on the demo site and its maps:
# - from an alarm's detail, m opens the Tower A floor plan at 1:1 centred on
#   the alarm's point, marked [D] with its label, reversed while unacknowledged;
# - a guard's position lands on the drawing cell its coordinates project to
#   (worked out here from the map file's corners, not by the console), and
#   its trail shows where it stood a minute before;
# - the assign list orders three guards at known distances nearest first,
#   says "position unknown" for a fourth, and flags a stuck GPS;
# - :track plays back a guard's route;
# - at 80x24 in UTF-8 the map reads (box lines at 1:1, braille when fitted),
#   and with TERM=vt100 it is drawn in ASCII only;
# - a wide dashboard shows a mini-map of the selected alarm's site.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 180
DEMO=$VIGIL_TOP/contrib/sites/demo
site_import "$DEMO/riverside.site"
printf 'super-pw-12345\n' | user_add sam supervisor
vigild_start
TOKEN=$(login sam super-pw-12345)
MAP=$DEMO/tower-a-0.map
ESC=$(printf '\033')
GW=gw-tower-a:0b223e928a26fc1249f15b2e28b3ba682f44bd7008858a78

# Device secrets of the guards, from the demo site file.
secret() {
	case $1 in
	G1) echo 8e299d44c39d7e8e783400869d8fb82dd9d0e432 ;;
	G2) echo 3cf424eb903d57d093902660c719aacfc46cfe84 ;;
	G3) echo 1a418a0340a272885a8a181c550c80aa61bd3a74 ;;
	esac
}

# Post guard $1's position $2,$3 taken $4 seconds ago (default 0).
position() {
	_ts=$(date -u -d "@$(( $(date +%s) - ${4:-0} ))" +%Y-%m-%dT%H:%M:%SZ)
	_out=$(curl -s -m 10 -u "$1:$(secret "$1")" --data-binary \
		"{\"positions\":[{\"ts\":\"$_ts\",\"lat\":$2,\"lon\":$3,\"accuracy\":5.0}]}" \
		"$URL/api/v1/ingest/positions")
	assert_eq 1 "$(printf '%s' "$_out" | jq -r .stored)" "position of $1 stored ($_out)"
}

# The drawing cell "ROW COL" that latitude $1, longitude $2 fall in on $MAP:
# the projection of vigil-map(5) from the two corner lines.
map_cell() {
	awk -v lat="$1" -v lon="$2" '
	/^corner *=/ {
		sub(/^corner *= */, "")
		split($0, f, /[ ,]+/)
		n++
		r[n] = f[1]; c[n] = f[2]; la[n] = f[3]; lo[n] = f[4]
	}
	END {
		row = r[1] + 0.5 + (r[2] - r[1]) / (la[2] - la[1]) * (lat - la[1])
		col = c[1] + 0.5 + (c[2] - c[1]) / (lo[2] - lo[1]) * (lon - lo[1])
		printf "%d %d\n", int(row), int(col)
	}' "$MAP"
}

# The drawing cell "ROW COL" of marker $1 on $MAP (a lone letter in the drawing).
marker_cell() {
	awk -v m="$1" '
	on { if (match($0, "[^A-Za-z0-9]" m "[^A-Za-z0-9]")) { print row, RSTART; exit } row++ }
	/^\[drawing\]/ { on = 1; row = 0 }' "$MAP"
}

# The screen line and column (from 0) where the text $2 first shows in session $1.
screen_at() {
	tui_screen "$1" | awk -v t="$2" 'i = index($0, t) { print NR - 1, i - 1; exit }'
}

note "an alarm at the Tower A lobby door"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -m 10 -u "$GW" --data-binary \
	"{\"events\":[{\"id\":\"m-1\",\"point\":\"ta-lobby-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
case "$ID" in ''|null|*[!0-9]*) fail "ingest raised no alarm: \"$ID\"" ;; esac

note "G3 6 m south of the door, G1 20 m inside, G2 150 m east; G4 has no fix"
G1LAT=53.79550
G1LON=-1.54080
TRAILLON=-1.54095
position G1 $G1LAT $TRAILLON 60
position G1 $G1LAT $G1LON
position G3 53.79555 -1.54105 120
position G2 53.79560 -1.53877

# An ASCII terminal first: columns on screen are bytes, so cells can be counted.
TUI_TERM=vt100 tui_start vt 100 30
tui_wait vt 15 'LIVE'
tui_wait vt 10 "forced .* new"
tui_keys vt Enter
tui_wait vt 10 "Alarm $ID"
tui_keys vt m
tui_wait vt 10 'Tower A ground floor'
tui_wait vt 5 '3/4 +1:1'
tui_wait vt 5 '\[D\] Tower A main entrance'
tui_wait vt 5 'G1'
screen=$(tui_screen vt)
printf '%s\n' "$screen" | LC_ALL=C grep -q "$(printf '[\200-\377]')" &&
	fail "TERM=vt100 got bytes that are not ASCII on the map:
$screen"

note "the alarm's point is in the middle of the map area, marked and reversed"
set -- $(screen_at vt '[D]')
dline=$1
dcol=$(($2 + 1))
# Rows: title, map header, 26 rows of map, message line, key bar.
[ "$dline" -ge 14 ] && [ "$dline" -le 16 ] || fail "[D] is on line $dline, not mid-map:
$screen"
[ "$dcol" -ge 49 ] && [ "$dcol" -le 51 ] || fail "[D] is at column $dcol, not mid-map:
$screen"
# Blinking (SGR 5) right before the marker: only an unacknowledged alarm's point blinks.
tui_tmux capture-pane -e -p -t vt | sed -n "$((dline + 1))p" | grep -q "${ESC}\\[[0-9;]*5m\\(${ESC}\\[[0-9;]*m\\)*D" ||
	fail "the alarm's point does not blink: $(tui_tmux capture-pane -e -p -t vt | sed -n "$((dline + 1))p" | od -c | head)"

note "G1 is on the cell its coordinates project to"
set -- $(marker_cell D)
drow=$1
dmcol=$2
set -- $(map_cell $G1LAT $G1LON)
grow=$1
gcol=$2
set -- $(screen_at vt G1)
assert_eq "$((grow - drow)) $((gcol - dmcol))" "$(($1 - dline)) $(($2 - dcol))" \
	"G1's offset from the door marker (rows, columns): map $grow,$gcol door $drow,$dmcol"

note "G1's trail: where it stood a minute ago, fetched with its track"
set -- $(map_cell $G1LAT $TRAILLON)
tline=$((dline + $1 - drow))
tcol=$((dcol + $2 - dmcol))
tchar=$(tui_screen vt | awk -v l="$tline" -v c="$tcol" 'NR == l + 1 { print substr($0, c + 1, 1) }')
assert_eq "." "$tchar" "the trail at line $tline column $tcol"

note "the assign list: nearest first, the unknown last"
tui_keys vt q
tui_wait vt 5 "Alarm $ID"
tui_keys vt g
tui_wait vt 5 'nearest first'
order=$(tui_screen vt | grep -Eo 'G[1-4] .*(m  ~|position unknown)' | cut -c1-2 | tr '\n' ' ')
assert_eq "G3 G1 G2 G4 " "$order" "the assign order"
tui_screen vt | grep -Eq 'G3 .* +[0-9] m  ~1 min walk' || fail "G3 is not about 6 m away: $(tui_screen vt)"
tui_screen vt | grep -Eq 'G4 .*position unknown' || fail "G4 is not said unknown"

note "G3 assigned and sending the same fix again and again: GPS STUCK"
tui_keys vt Enter
tui_wait vt 10 'assigned'
for ago in 90 60 30 0; do
	position G3 53.79555 -1.54105 $ago
done
tui_keys vt g
tui_wait vt 5 'nearest first'
tui_wait vt 5 'G3 .*dispatched .*GPS STUCK'
tui_keys vt Escape
tui_wait vt 5 "Alarm $ID"
tui_keys vt q

note ":track plays back G3's route"
tui_keys vt :
tui_wait vt 5 '^:'
tui_keys vt -l "track G3 -1h"
tui_keys vt Enter
tui_wait vt 10 'track G3 .* 1/[0-9]'
tui_keys vt ">"
tui_wait vt 5 'track G3 .* ([0-9]+)/\1 '
tui_keys vt q

note "a wide dashboard shows the selected alarm's site in a mini-map, its point marked"
tui_start wide 140 40
tui_wait wide 15 'LIVE'
tui_wait wide 10 'map: Tower A ground floor'
tui_wait wide 5 '\[D\]'
# Started after G3's phone froze: the server's count of the repeated fix says so.
assert_eq 5 "$(api GET /api/v1/guards | jq '.guards[] | select(.callsign == "G3") | .position.same_count')" "G3's repeated fixes"
tui_wait wide 5 'G3 .*STUCK'

note "80x24 in UTF-8: box lines at 1:1, braille when fitted, the key bar"
tui_start small 80 24
tui_wait small 15 'LIVE'
tui_wait small 10 'forced'
tui_keys small m
tui_wait small 10 'Tower A ground floor'
tui_wait small 5 '1:1'
tui_match small '─' || fail "no box line at 1:1: $(tui_screen small)"
tui_match small 'Back' || fail "no key bar at 80x24: $(tui_screen small)"
tui_keys small f
tui_wait small 5 ' fit'
tui_screen small | LC_ALL=C grep -q "$(printf '\342[\240-\243]')" ||
	fail "no braille at fit: $(tui_screen small)"
tui_match small 'enlarge' && fail "80x24 asks to be enlarged"
tui_keys small Tab
tui_wait small 5 'Tower B ground floor'
tui_keys small q
tui_wait small 5 'ID P +AGE'
tui_keys small q
tui_wait small 5 'vigil exited 0'
vigild_stop
