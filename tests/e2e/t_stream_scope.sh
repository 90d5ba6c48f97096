#!/bin/sh
# A manager's stream carries nothing from sites it is not scoped to, while an
# administrator's carries everything, in order.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 60
PROBE=$VIGIL_BIN/../tests/wsprobe
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
printf 'admin-pw-1\n' | user_add root admin
printf 'mgr-pw-1\n' | user_add max manager --site harbour
vigild_start
ADM=$(login root admin-pw-1)
MGR=$(login max mgr-pw-1)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
send() { # send GATEWAY:SECRET POINT ID TYPE: every one raises or groups an alarm
	out=$(curl -s -m 10 -u "$1" --data-binary \
		"{\"events\":[{\"id\":\"$3\",\"point\":\"$2\",\"type\":\"$4\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest")
	assert_eq alarm "$(echo "$out" | jq -r '.results[0].class')" "event $3"
}
A=gw-test-a:test-gateway-a-secret-0123456789
H=gw-harbour:harbour-gateway-secret-0123456789abcdef

# Some history before the manager connects (caught up from the log)...
send "$A" a-door s1 forced
send "$H" h-door s2 forced
send "$A" a-water s3 water_leak
spawn "$PROBE" --seconds 20 127.0.0.1 "$PORT" "/api/v1/stream?since=0" "$MGR" >"$T/mgr.out"
spawn "$PROBE" --seconds 20 127.0.0.1 "$PORT" "/api/v1/stream?since=0" "$ADM" >"$T/adm.out"
sleep 1
# ...and live messages after.
send "$A" a-door s4 forced
send "$H" h-door s5 forced
send "$A" a-door s6 tamper
N=$(sqlq 'SELECT count(*) FROM stream')
H=$(sqlq "SELECT count(*) FROM stream l JOIN sites s ON s.id = l.site_id WHERE s.key = 'harbour'")
got_all() {
	[ "$(grep -c '^{"seq"' "$T/adm.out")" -ge "$N" ] &&
		[ "$(grep -c '^{"seq"' "$T/mgr.out")" -ge "$H" ]
}
wait_until 15 got_all || fail "the consoles did not get their $N and $H messages"

grep -q '"scoped":true' "$T/mgr.out" || fail "the manager's hello does not say scoped"
grep -q '"scoped":false' "$T/adm.out" || fail "the administrator's hello says scoped"
mgr_sites=$(grep '^{"seq"' "$T/mgr.out" | jq -r .site | sort -u | tr '\n' ' ')
assert_eq "harbour " "$mgr_sites" "sites in the manager's stream"
[ "$H" -ge 2 ] || fail "only $H harbour messages in the log"
assert_eq "$H" "$(grep -c '^{"seq"' "$T/mgr.out")" "messages in the manager's stream"
grep -q 'testyard\|Test Yard\|a-door' "$T/mgr.out" && fail "testyard leaked into the manager's stream"
adm_seqs=$(grep '^{"seq"' "$T/adm.out" | jq -r .seq | tr '\n' ' ')
assert_eq "$(sqlq 'SELECT seq FROM stream ORDER BY seq' | tr '\n' ' ')" "$adm_seqs" \
	"the administrator's seqs"
vigild_stop
