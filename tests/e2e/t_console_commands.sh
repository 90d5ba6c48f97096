#!/bin/sh
# The console's ":" command line: :ack, :assign, :close and :note by alarm
# number, each seen by the API; Tab completes a command's name and a guard's
# callsign; an unknown command is named in a clear message; :theme switches
# themes without losing the queue and says so when there is no such theme.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)

# Send one event through ingest as gateway $1 (secret $2): event id $3 at
# point $4 of type $5; print the alarm it raised.
ingest() {
	_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	curl -s -m 10 -u "$1:$2" --data-binary \
		"{\"events\":[{\"id\":\"$3\",\"point\":\"$4\",\"type\":\"$5\",\"ts\":\"$_now\"}]}" \
		"$URL/api/v1/ingest" | jq -r '.results[0].alarm'
}
GWA="gw-test-a test-gateway-a-secret-0123456789"
GWB="gw-test-b test-gateway-b-secret-0123456789"
GWH="gw-harbour harbour-gateway-secret-0123456789abcdef"

# The alarm's fields $2 (a jq expression) as the API shows them.
alarm_is() {
	api GET "/api/v1/alarms/$1" | jq -r "$2"
}

# True once alarm $1's $2 (jq) reads $3.
alarm_reads() {
	[ "$(alarm_is "$1" "$2")" = "$3" ]
}

# True while session $1's screen does not match $2.
screen_lacks() {
	! tui_match "$1" "$2"
}

# How many colour settings (SGR 30-38, 40-48, 90-97, 100-107) session $1's screen holds.
screen_colours() {
	tui_tmux capture-pane -e -p -t "$1" | grep -o "$(printf '\033')\[[0-9;]*m" |
		tr -d '\033[m' | tr ';' '\n' | grep -Ec '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
}

# True when session $1 shows no colour at all.
screen_colourless() {
	[ "$(screen_colours "$1")" -eq 0 ]
}

# Type a command line (without the colon) and run it.
command_run() {
	tui_keys c1 :
	tui_wait c1 5 '^:'
	tui_keys c1 -l "$1"
	tui_keys c1 Enter
}

# The themes from the source tree, wherever the test runs from.
mkdir -p "$T/c1/config/vigil/themes"
cp "$VIGIL_TOP"/themes/*.theme "$T/c1/config/vigil/themes/" || fail "no themes to copy"
tui_start c1 120 30
tui_wait c1 15 'LIVE'
tui_wait c1 5 'no open alarms'
A1=$(ingest $GWA k1 a-door forced)
A2=$(ingest $GWA k2 a-water water_leak)
A3=$(ingest $GWB k3 b-gate forced)
A4=$(ingest $GWB k4 b-window forced)
A5=$(ingest $GWH k5 h-door forced)
for a in "$A1" "$A2" "$A3" "$A4" "$A5"; do
	case "$a" in ''|null|*[!0-9]*) fail "ingest raised no alarm: \"$a\"" ;; esac
done
tui_wait c1 10 'harbour .*Harbour Court main door'
tui_wait c1 5 'B block office window'

note ":ack $A1"
command_run "ack $A1"
wait_until 10 alarm_reads "$A1" .alarm.state acknowledged ||
	fail ":ack $A1 left the alarm $(alarm_is "$A1" .alarm.state)"
tui_wait c1 5 'A block door .* ack( |$)'

note ":assign $A2 T1"
command_run "assign $A2 T1"
wait_until 10 alarm_reads "$A2" '.alarm | "\(.state) \(.guard)"' "assigned T1" ||
	fail ":assign $A2 T1 left the alarm $(alarm_is "$A2" '.alarm | "\(.state) \(.guard)"')"
tui_wait c1 5 'water_leak .* assigned +T1'

note ":close $A3 test ..."
command_run "close $A3 test text of the note"
wait_until 10 alarm_reads "$A3" .alarm.state closed ||
	fail ":close $A3 left the alarm $(alarm_is "$A3" .alarm.state)"
assert_eq "closed test text of the note dora" \
	"$(alarm_is "$A3" '.alarm | "\(.state) \(.resolution) \(.resolution_note) \(.closed_by)"')" \
	"after :close"
wait_until 5 screen_lacks c1 'Yard gate' ||
	fail "the closed alarm is still in the queue: $(tui_screen c1)"

note ":note $A4 ..."
command_run "note $A4 gate checked by phone, all quiet"
wait_until 10 alarm_reads "$A4" '[.notes[] | select(.author == "dora") | .text] | join("|")' \
	"gate checked by phone, all quiet" ||
	fail ":note $A4: the notes are $(alarm_is "$A4" '.notes')"
tui_wait c1 5 "note added to alarm $A4"
assert_eq new "$(alarm_is "$A4" .alarm.state)" "a note leaves the state alone"

note "Tab completes the command and the guard"
tui_keys c1 :
tui_wait c1 5 '^:'
tui_keys c1 -l as
tui_keys c1 Tab
# The name is completed with its space: what is typed next is an argument.
tui_wait c1 5 '^:assign *$'
tui_keys c1 -l "$A5 H"
tui_wait c1 5 "^:assign $A5 H *\$"
tui_keys c1 Tab
tui_wait c1 5 "^:assign $A5 H1 *\$"
tui_keys c1 Enter
wait_until 10 alarm_reads "$A5" '.alarm | "\(.state) \(.guard)"' "assigned H1" ||
	fail "the completed :assign $A5 H1 left the alarm $(alarm_is "$A5" '.alarm | "\(.state) \(.guard)"')"
tui_wait c1 5 'Harbour Court main door .* assigned +H1'

note "an unknown command"
command_run "frobnicate 12"
tui_wait c1 5 'unknown command "frobnicate"'

note "themes"
[ "$(screen_colours c1)" -gt 0 ] || fail "the default theme shows no colour"
command_run "theme mono"
tui_wait c1 5 "^theme mono *\$"
wait_until 5 screen_colourless c1 ||
	fail "the mono theme still shows $(screen_colours c1) colours"
tui_wait c1 5 'B block office window'
tui_wait c1 2 'LIVE'
command_run "theme light"
tui_wait c1 5 "^theme light *\$"
tui_wait c1 5 'B block office window'
tui_wait c1 2 'GUARDS'
[ "$(screen_colours c1)" -gt 0 ] || fail "the light theme shows no colour"
command_run "theme nosuch"
tui_wait c1 5 'theme nosuch: .*nosuch'
tui_wait c1 5 'B block office window'
# Still answering keys after the switches, and leaving cleanly.
tui_keys c1 '?'
tui_wait c1 5 'acknowledge the alarm'
tui_keys c1 q
tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
vigild_stop
