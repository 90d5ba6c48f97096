#!/bin/sh
# vigild killed: the console says DISCONNECTED; restarted: LIVE again, and
# an alarm raised while the console was cut off is on the screen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 120
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
tui_start c1 100 30
tui_wait c1 15 'LIVE'

vigild_kill9
tui_wait c1 20 'DISCONNECTED'
# Raise an alarm while the console cannot hear: straight into the database
# through a second vigild on another port, then stop it.
SAVED=$PORT
PORT=
vigild_start
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -u gw-test-b:test-gateway-b-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"down1\",\"point\":\"b-window\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null
vigild_stop
tui_match c1 'DISCONNECTED' || fail "the console is not DISCONNECTED: $(tui_screen c1)"
PORT=$SAVED
vigild_start
tui_wait c1 30 'LIVE'
tui_wait c1 10 'B block office window'
vigild_stop
