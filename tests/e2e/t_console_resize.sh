#!/bin/sh
# Resize at any time: 160x50 to 80x24 to 60x20 and back; never a crash, the
# layout follows, and below 80x24 a clear "enlarge the window" screen.
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
	"{\"events\":[{\"id\":\"r1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null
tui_start c1 160 50
tui_wait c1 15 'LIVE'
tui_wait c1 5 'A block door'
# Wide: the guards sit beside the queue, on the same line as the heading.
tui_match c1 'P5\+.*GUARDS' || fail "at 160x50 the guards are not beside the queue: $(tui_screen c1)"

tui_resize c1 80 24
tui_wait c1 5 'A block door'
tui_match c1 '^GUARDS' || fail "at 80x24 the guards are not under the queue: $(tui_screen c1)"
[ "$(tui_screen c1 | wc -l)" -le 24 ] || fail "more than 24 lines at 80x24"
tui_wait c1 2 'Ack'

tui_resize c1 60 20
tui_wait c1 5 'enlarge|Enlarge'
tui_resize c1 79 24
tui_wait c1 5 'Enlarge'
tui_resize c1 160 50
tui_wait c1 5 'P5\+.*GUARDS'
tui_resize c1 80 24
tui_wait c1 5 'A block door'
tui_keys c1 j k
tui_match c1 'vigil exited' && fail "vigil exited: $(tui_screen c1)"
tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
vigild_stop
