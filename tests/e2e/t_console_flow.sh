#!/bin/sh
# The console's whole workflow by keys: an alarm injected through ingest
# appears on the dashboard; it is acknowledged, assigned and closed with
# keys; the API shows each state and the audit has each action.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
tui_start c1 100 30
tui_wait c1 15 'LIVE'
tui_wait c1 5 'no open alarms'

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"c1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
tui_wait c1 5 'P4 .*testyard .*A block door .*forced .* new'
tui_match c1 'P4 1 ' || fail "the counts do not show one P4: $(tui_screen c1)"

tui_keys c1 a
tui_wait c1 5 'forced .* ack( |$)'
assert_eq acknowledged "$(api GET "/api/v1/alarms/$ID" | jq -r .alarm.state)" "state after a"

tui_keys c1 g
tui_wait c1 5 'assign a guard'
tui_wait c1 2 'T1 .*Test Guard One'
tui_keys c1 Enter
tui_wait c1 5 'forced .* assigned +T1'
assert_eq "assigned T1" "$(api GET "/api/v1/alarms/$ID" | jq -r '.alarm | "\(.state) \(.guard)"')" "after g"

tui_keys c1 c
tui_wait c1 5 'resolution'
tui_keys c1 2
tui_wait c1 5 'note:'
tui_keys c1 -l 'cat pushed the door'
tui_keys c1 Enter
tui_wait c1 5 'no open alarms'
assert_eq "closed false_alarm cat pushed the door dora" \
	"$(api GET "/api/v1/alarms/$ID" | jq -r '.alarm | "\(.state) \(.resolution) \(.resolution_note) \(.closed_by)"')" \
	"after c"
assert_eq "alarm.ack alarm.assign alarm.close" \
	"$(sqlq "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE object_id='$ID' AND actor='dora' ORDER BY seq)")" \
	"audit of the console's actions"

# Help comes from the key table; q leaves cleanly.
tui_keys c1 '?'
tui_wait c1 5 'acknowledge the alarm'
tui_keys c1 q
tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
vigild_stop
