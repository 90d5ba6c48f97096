#!/bin/sh
# A gateway silent longer than its supervision window (10 s here) raises a
# line-fault alarm; a gateway that keeps reporting does not; when the silent
# one reports again, the alarm is closed by the system and recorded.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
SITE=$VIGIL_TOP/tests/e2e/data/linefault.site
site_import "$SITE"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
started=$(date +%s)
TOKEN=$(login dora dispatch-pw-1)
spawn "$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --gateway gw-busy --rate 1 \
	--types open,close --quiet >"$T/sim.out" 2>&1

faults() {
	api GET "/api/v1/alarms?type=line_fault" | jq -r '[.alarms[].gateway] | join(" ")'
}
has_fault() {
	[ -n "$(faults)" ]
}

# Not before its window has passed...
sleep 6
assert_eq "" "$(faults)" "line faults after 6 s"
# ...but soon after it.
wait_until 20 has_fault || fail "no line fault 26 s after start"
elapsed=$(( $(date +%s) - started ))
[ "$elapsed" -ge 10 ] || fail "line fault raised after only $elapsed s"
assert_eq gw-quiet "$(faults)" "gateways with a line fault"
alarm=$(api GET "/api/v1/alarms?type=line_fault" | jq -r '.alarms[0] | "\(.id) \(.state) \(.priority) \(.point)"')
assert_eq "new 5 null" "${alarm#* }" "the line-fault alarm"
ID=${alarm%% *}
assert_eq 1 "$(sqlq "SELECT line_fault FROM gateways WHERE key='gw-quiet'")" "gateway flag"

# The gateway reports again (a heartbeat): the fault clears.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -m 10 -u gw-quiet:quiet-gateway-secret-0123456789abcdef \
	--data-binary '{"events":[]}' "$URL/api/v1/ingest" >/dev/null
assert_eq "" "$(faults)" "line faults after the gateway reported"
closed=$(api GET "/api/v1/alarms/$ID" | jq -r '.alarm | "\(.state) \(.closed_by) \(.resolution)"')
assert_eq "closed vigild technical_fault" "$closed" "the cleared alarm"
assert_eq "alarm.open alarm.close" \
	"$(sqlq "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE object_type='alarm' AND object_id='$ID' ORDER BY seq)")" \
	"audit of the line fault"
assert_eq 0 "$(sqlq "SELECT line_fault FROM gateways WHERE key='gw-quiet'")" "gateway flag after"
"$VIGIL_BIN/vigild" --db "$DB" audit verify >/dev/null || fail "audit does not verify"
vigild_stop
