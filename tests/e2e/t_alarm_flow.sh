#!/bin/sh
# An event from a gateway becomes an alarm; a dispatcher acknowledges,
# assigns, and closes it; the API shows each state, the guard follows, and
# the audit log records every step and verifies.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)
GW=gw-test-a:test-gateway-a-secret-0123456789
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

ingest() {
	curl -s -m 10 -u "$GW" -H 'Content-Type: application/json' \
		--data-binary "$1" "$URL/api/v1/ingest"
}

# A forced door is an alarm; an open door is a signal.
out=$(ingest "{\"events\":[{\"id\":\"f1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"},
	{\"id\":\"o1\",\"point\":\"a-door\",\"type\":\"open\",\"ts\":\"$NOW\"}]}")
assert_eq "stored alarm" "$(echo "$out" | jq -r '.results[0] | "\(.status) \(.class)"')" "first result"
assert_eq "stored signal" "$(echo "$out" | jq -r '.results[1] | "\(.status) \(.class)"')" "second result"
ID=$(echo "$out" | jq -r '.results[0].alarm')

# The same event again is a duplicate; a second forced opening groups.
out=$(ingest "{\"events\":[{\"id\":\"f1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"},
	{\"id\":\"f2\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}")
assert_eq "duplicate $ID" "$(echo "$out" | jq -r '.results[0] | "\(.status) \(.alarm)"')" "re-sent event"
assert_eq "stored $ID" "$(echo "$out" | jq -r '.results[1] | "\(.status) \(.alarm)"')" "grouped event"
assert_eq 3 "$(sqlq 'SELECT count(*) FROM events')" "events stored"

# The snapshot shows it: priority 4, new, count 2, version 1.
snap=$(api GET /api/v1/alarms)
assert_eq 200 "$(last_status)" "GET alarms"
assert_eq "1" "$(echo "$snap" | jq '.alarms | length')" "open alarms"
assert_eq "4 new 2 1 a-door forced" \
	"$(echo "$snap" | jq -r '.alarms[0] | "\(.priority) \(.state) \(.count) \(.version) \(.point) \(.type)"')" \
	"alarm in snapshot"
[ "$(echo "$snap" | jq '.seq')" -ge 2 ] || fail "snapshot seq is $(echo "$snap" | jq '.seq')"

# Acknowledge, assign to T1, close.
out=$(api POST "/api/v1/alarms/$ID/ack" '{"version":1}')
assert_eq 200 "$(last_status)" "ack"
assert_eq "acknowledged 2 dora" "$(echo "$out" | jq -r '.alarm | "\(.state) \(.version) \(.acked_by)"')" "after ack"
out=$(api POST "/api/v1/alarms/$ID/assign" '{"version":2,"guard":"T1"}')
assert_eq 200 "$(last_status)" "assign"
assert_eq "assigned 3 T1" "$(echo "$out" | jq -r '.alarm | "\(.state) \(.version) \(.guard)"')" "after assign"
assert_eq dispatched "$(api GET /api/v1/guards | jq -r '.guards[] | select(.callsign=="T1") | .status')" "T1 on assign"
out=$(api POST "/api/v1/alarms/$ID/close" '{"version":3,"resolution":"false_alarm","note":"wind pushed the door"}')
assert_eq 200 "$(last_status)" "close"
assert_eq "closed 4 false_alarm" "$(echo "$out" | jq -r '.alarm | "\(.state) \(.version) \(.resolution)"')" "after close"
assert_eq available "$(api GET /api/v1/guards | jq -r '.guards[] | select(.callsign=="T1") | .status')" "T1 on close"
assert_eq 0 "$(api GET /api/v1/alarms | jq '.alarms | length')" "open alarms after close"
assert_eq 1 "$(api GET '/api/v1/alarms?state=closed' | jq '.alarms | length')" "closed alarms"

# A new forced opening after the close is a new alarm.
out=$(ingest "{\"events\":[{\"id\":\"f3\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}")
[ "$(echo "$out" | jq -r '.results[0].alarm')" != "$ID" ] || fail "a closed alarm grouped a new event"

# The audit has each step, by whom, and the chain verifies.
assert_eq "alarm.open alarm.group alarm.ack alarm.assign alarm.close" \
	"$(sqlq "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE object_type='alarm' AND object_id='$ID' ORDER BY seq)")" \
	"audit of alarm $ID"
assert_eq "dora" "$(sqlq "SELECT actor FROM audit WHERE action='alarm.close'")" "closer"
hist=$(api GET "/api/v1/alarms/$ID" | jq -r '[.history[].action] | join(" ")')
assert_contains "$hist" "alarm.assign" "history in alarm detail"
"$VIGIL_BIN/vigild" --db "$DB" audit verify >"$T/verify.out" 2>&1 || fail "audit verify: $(cat "$T/verify.out")"
vigild_stop
