#!/bin/sh
# Two consoles: one acknowledges, the other shows it within a second; a
# stale action from the second shows the conflict and who made it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
printf 'dispatch-pw-2\n' | user_add dan dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
tui_start one 100 30
TOKEN=$(login dan dispatch-pw-2)
tui_start two 100 30
tui_wait one 15 'LIVE'
tui_wait two 15 'LIVE'

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"t1\",\"point\":\"a-water\",\"type\":\"water_leak\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
tui_wait one 5 'water_leak .* new'
tui_wait two 5 'water_leak .* new'

# dan opens the close form on version 1 while dora acknowledges.
tui_keys two c
tui_wait two 5 'resolution'
tui_keys one a
tui_wait two 2 'water_leak .* ack( |$)'
tui_keys two 1
tui_wait two 5 'note:'
tui_keys two -l 'fixed'
tui_keys two Enter
tui_wait two 5 'acknowledged by dora'
assert_eq acknowledged "$(TOKEN=$TOKEN api GET "/api/v1/alarms/$ID" | jq -r .alarm.state)" \
	"the stale close changed nothing"
vigild_stop
