#!/bin/sh
# A manager's console shows only its company's site, and the holes that
# filtering leaves in the stream's seqs are not taken for gaps (no reload).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
printf 'mgr-pw-1\n' | user_add max manager --site harbour
vigild_start
TOKEN=$(login max mgr-pw-1)
tui_start m 100 30
tui_wait m 15 'LIVE'
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3; do
	curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
		"{\"events\":[{\"id\":\"t$i\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest" >/dev/null
	curl -s -u gw-harbour:harbour-gateway-secret-0123456789abcdef --data-binary \
		"{\"events\":[{\"id\":\"h$i\",\"point\":\"h-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest" >/dev/null
done
tui_wait m 10 'harbour .*Harbour Court main door .*forced +3 '
tui_match m 'testyard|A block door' && fail "another company's alarm is on the manager's screen: $(tui_screen m)"
grep -q 'fresh snapshot' "$T/m/state/vigil/console.log" &&
	fail "the console reloaded its snapshot: $(grep 'fresh snapshot' "$T/m/state/vigil/console.log")"
tui_keys m q
tui_wait m 5 'vigil exited 0'
vigild_stop
