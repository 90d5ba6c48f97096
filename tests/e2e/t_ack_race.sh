#!/bin/sh
# Two dispatchers acknowledge the same alarm version at the same moment:
# exactly one succeeds, the other gets 409 with the current alarm, and the
# audit log holds one acknowledgement.  Repeated over several alarms so the
# two requests really do race.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
printf 'dispatch-pw-2\n' | user_add dan dispatcher
vigild_start
T1=$(login dora dispatch-pw-1)
T2=$(login dan dispatch-pw-2)
GW=gw-test-a:test-gateway-a-secret-0123456789
ROUNDS=10

for i in $(seq 1 $ROUNDS); do
	NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	out=$(curl -s -m 10 -u "$GW" --data-binary \
		"{\"events\":[{\"id\":\"race-$i\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest")
	ID=$(echo "$out" | jq -r '.results[0].alarm')
	[ "$ID" -gt 0 ] 2>/dev/null || fail "no alarm from ingest: $out"
	pids=""
	for who in 1 2; do
		eval tok=\$T$who
		curl -s -m 10 -o "$T/r$who" -w '%{http_code}' -H "Authorization: Bearer $tok" \
			--data-binary '{"version":1}' "$URL/api/v1/alarms/$ID/ack" >"$T/s$who" &
		pids="$pids $!"
	done
	wait $pids
	codes=$( (cat "$T/s1"; echo; cat "$T/s2"; echo) | sort | tr "\n" " ")
	assert_eq "200 409 " "$codes" "round $i status codes"
	for who in 1 2; do
		if [ "$(cat "$T/s$who")" = 409 ]; then
			assert_eq conflict "$(jq -r .error.code "$T/r$who")" "409 body"
			assert_eq "acknowledged 2" "$(jq -r '.alarm | "\(.state) \(.version)"' "$T/r$who")" \
				"current alarm in the 409"
		fi
	done
	assert_eq 1 "$(sqlq "SELECT count(*) FROM audit WHERE action='alarm.ack' AND object_id='$ID'")" \
		"audit entries for the ack of alarm $ID"
	# Close it so the next round opens a new alarm.
	TOKEN=$T1 api POST "/api/v1/alarms/$ID/close" '{"version":2,"resolution":"test","note":"race test"}' >/dev/null
	assert_eq 200 "$(last_status)" "close alarm $ID"
done
vigild_stop
