#!/bin/sh
# The audit log verifies after real work, and "vigild audit verify" finds
# one altered row, naming it, with exit status 65.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"t1\",\"point\":\"a-water\",\"type\":\"water_leak\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
api POST "/api/v1/alarms/$ID/ack" '{"version":1}' >/dev/null
api POST "/api/v1/alarms/$ID/notes" '{"text":"plumber called"}' >/dev/null
api POST "/api/v1/alarms/$ID/close" '{"version":2,"resolution":"genuine","note":"valve replaced"}' >/dev/null
assert_eq 200 "$(last_status)" "close"
vigild_stop

out=$("$VIGIL_BIN/vigild" --db "$DB" audit verify 2>&1) || fail "untouched log does not verify: $out"
assert_contains "$out" "entries verified" "verify output"
n=$(sqlq "SELECT count(*) FROM audit")
[ "$n" -ge 6 ] || fail "only $n audit entries"

# Rewrite who closed the alarm, as someone covering their tracks would.
seq=$(sqlq "SELECT seq FROM audit WHERE action='alarm.close'")
sqlq "UPDATE audit SET actor='mallory' WHERE seq=$seq"
out=$("$VIGIL_BIN/vigild" --db "$DB" audit verify 2>&1)
rc=$?
assert_eq 65 "$rc" "exit status of verify on an altered log"
assert_contains "$out" "entry $seq" "verify names the altered entry"
