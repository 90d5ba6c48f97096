#!/bin/sh
# The alarm detail: Enter shows the alarm's site, point, events, notes and
# history (who did what); an acknowledgement and a note made there appear in
# it; q returns to the queue.  A supervisor reaches a closed alarm with
# ":open ID" and reopens it with O, and it is back in the queue; a
# dispatcher pressing O is refused with a message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
printf 'super-pw-12345\n' | user_add sam supervisor
vigild_start
DORA=$(login dora dispatch-pw-1)
SAM=$(login sam super-pw-12345)
TOKEN=$DORA

# Send one event through ingest at a-door (id $1, type $2, value $3); print its alarm.
ingest() {
	_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	curl -s -m 10 -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
		"{\"events\":[{\"id\":\"$1\",\"point\":\"a-door\",\"type\":\"$2\",\"ts\":\"$_now\",\"value\":\"$3\"}]}" \
		"$URL/api/v1/ingest" | jq -r '.results[0].alarm'
}

# Alarm $1's field $2 (jq) as dora sees it through the API.
alarm_is() {
	TOKEN=$DORA api GET "/api/v1/alarms/$1" | jq -r "$2"
}

# True once alarm $1's field $2 (jq) reads $3.
alarm_reads() {
	[ "$(alarm_is "$1" "$2")" = "$3" ]
}

# Close alarm $1 through the API as dora.
close_alarm() {
	_v=$(alarm_is "$1" .alarm.version)
	TOKEN=$DORA api POST "/api/v1/alarms/$1/close" \
		"{\"version\":$_v,\"resolution\":\"false_alarm\",\"note\":\"closed for the test\"}" >/dev/null
	assert_eq 200 "$(last_status)" "closing alarm $1"
}

# True while session $1's screen does not match $2.
screen_lacks() {
	! tui_match "$1" "$2"
}

# Type a command line (without the colon) in session $1 and run it.
command_run() {
	tui_keys "$1" :
	tui_wait "$1" 5 '^:'
	tui_keys "$1" -l "$2"
	tui_keys "$1" Enter
}

tui_start c1 120 40
tui_wait c1 15 'LIVE'
tui_wait c1 5 'no open alarms'
ID=$(ingest d-101 forced "bolt sensor 1")
case "$ID" in ''|null|*[!0-9]*) fail "ingest raised no alarm: \"$ID\"" ;; esac
assert_eq "$ID" "$(ingest d-102 forced "bolt sensor 2")" "the second event's alarm (grouped)"
tui_wait c1 10 'A block door .*forced +2 new'

note "Enter shows the detail"
tui_keys c1 Enter
tui_wait c1 10 "Alarm $ID +P4 forced +new"
tui_wait c1 5 'Site +Test Yard \(testyard\)'
tui_wait c1 5 'Point +A block door \(a-door, door\) via gw-test-a'
tui_wait c1 5 '^ *Notes'
tui_wait c1 5 '^ *History'
tui_wait c1 5 '^ *Events'
tui_wait c1 5 'forced +d-101 +bolt sensor 1'
tui_wait c1 5 'forced +d-102 +bolt sensor 2'
# The dashboard's heading is gone: this is the detail, not the queue.
tui_match c1 'SITE +POINT +TYPE' && fail "the queue is still shown: $(tui_screen c1)"

note "a in the detail acknowledges; the history names dora"
tui_keys c1 a
wait_until 10 alarm_reads "$ID" .alarm.state acknowledged ||
	fail "a in the detail left the alarm $(alarm_is "$ID" .alarm.state)"
tui_wait c1 10 "Alarm $ID +P4 forced +acknowledged"
tui_wait c1 5 'Acked +[-0-9]+ [0-9:]+ by dora'
tui_wait c1 5 'dora +alarm\.ack'

note "n adds a note"
tui_keys c1 n
tui_wait c1 5 "note on alarm $ID:"
tui_keys c1 -l 'caretaker says the bolt sticks'
tui_keys c1 Enter
wait_until 10 alarm_reads "$ID" '.notes[-1].text' 'caretaker says the bolt sticks' ||
	fail "the note did not reach the server: $(alarm_is "$ID" .notes)"
tui_wait c1 10 'dora +caretaker says the bolt sticks'
# Still the detail, with the note under Notes (before History).
tui_screen c1 | awk '/^ *Notes/ { n = 1 } /^ *History/ { exit } n && /caretaker says the bolt sticks/ { found = 1 } END { exit !found }' ||
	fail "the note is not under Notes: $(tui_screen c1)"

note "q returns to the queue"
tui_keys c1 q
tui_wait c1 5 'SITE +POINT +TYPE'
tui_wait c1 5 'A block door .*forced +2 ack'
wait_until 5 screen_lacks c1 '^ *History' || fail "the detail is still shown: $(tui_screen c1)"

note "a supervisor reopens a closed alarm with :open and O"
close_alarm "$ID"
wait_until 10 screen_lacks c1 'A block door' || fail "the closed alarm is still queued: $(tui_screen c1)"
TOKEN=$SAM
tui_start s1 120 40
tui_wait s1 15 'LIVE'
tui_wait s1 5 'sam \(supervisor\)'
tui_wait s1 5 'no open alarms'
command_run s1 "open $ID"
tui_wait s1 10 "Alarm $ID +P4 forced +closed"
tui_wait s1 5 'Closed +[-0-9]+ [0-9:]+ by dora: false_alarm closed for the test'
tui_keys s1 O
wait_until 10 alarm_reads "$ID" .alarm.state acknowledged ||
	fail "O as a supervisor left the alarm $(alarm_is "$ID" .alarm.state)"
tui_wait s1 10 'sam +alarm\.reopen'
tui_keys s1 q
tui_wait s1 5 'SITE +POINT +TYPE'
tui_wait s1 10 'A block door .*forced +2 ack'
tui_wait c1 10 'A block door .*forced +2 ack'
assert_eq 1 "$(sqlq "SELECT count(*) FROM audit WHERE action = 'alarm.reopen' AND actor = 'sam' AND object_id = '$ID'")" \
	"sam's reopening in the audit"

note "a dispatcher's O is refused"
close_alarm "$ID"
wait_until 10 screen_lacks c1 'A block door' || fail "the closed alarm is still queued: $(tui_screen c1)"
command_run c1 "open $ID"
tui_wait c1 10 "Alarm $ID +P4 forced +closed"
tui_keys c1 O
tui_wait c1 10 "alarm $ID: reopen refused"
assert_eq closed "$(alarm_is "$ID" .alarm.state)" "the alarm after dora's O"
assert_eq 0 "$(sqlq "SELECT count(*) FROM audit WHERE action = 'alarm.reopen' AND actor = 'dora'")" \
	"dora's reopenings in the audit"
tui_keys c1 q
tui_wait c1 5 'no open alarms'

tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
tui_keys s1 q
tui_wait s1 5 'vigil exited 0'
vigild_stop
