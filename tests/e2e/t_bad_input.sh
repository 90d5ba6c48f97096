#!/bin/sh
# Bad input gets a JSON error with a code and changes nothing: malformed
# JSON, duplicate keys, unknown fields, a body or batch over the limit, an
# unknown point, a wrong secret, absurd times and coordinates.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
GW=gw-test-a:test-gateway-a-secret-0123456789
DEV=T1:test-guard-t1-device-secret-0123
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
before=$(sqlq "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM alarms) || ' ' || (SELECT count(*) FROM positions) || ' ' || (SELECT count(*) FROM stream) || ' ' || (SELECT count(*) FROM audit)")

# post AUTH PATH FILE EXPECTED_STATUS EXPECTED_CODE WHAT
post() {
	code=$(curl -s -m 20 -o "$T/out" -w '%{http_code}' -u "$1" \
		-H 'Content-Type: application/json' --data-binary "@$3" "$URL$2")
	assert_eq "$4" "$code" "$6: status"
	assert_eq "$5" "$(jq -r .error.code "$T/out" 2>/dev/null)" "$6: error code"
	msg=$(jq -r .error.message "$T/out")
	[ -n "$msg" ] && [ "$msg" != null ] || fail "$6: no error message"
	echo "$6 -> $code $5: $msg"
}
ev() { # one event with the given id, point, type and time
	printf '{"id":"%s","point":"%s","type":"%s","ts":"%s"}' "$1" "$2" "$3" "$4"
}

printf '{"events":[' >"$T/b"; ev x1 a-door open "$NOW" >>"$T/b"; printf ']' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 400 malformed "truncated JSON"
printf '{"events":[],"events":[]}' >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 400 malformed "duplicate keys"
printf '{"events":[{"id":"x1","point":"a-door","type":"open","ts":"%s","id":"x2"}]}' "$NOW" >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 400 malformed "duplicate keys in an event"
printf '{"events":[],"colour":"red"}' >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "unknown top-level field"
printf '{"events":[{"id":"x1","point":"a-door","type":"open","ts":"%s","mood":1}]}' "$NOW" >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "unknown event field"
printf '{"events":[' >"$T/b"; ev x1 a-door open "$NOW" >>"$T/b"; printf ','>>"$T/b"; ev x2 no-such-point forced "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "unknown point"
assert_contains "$(jq -r .error.message "$T/out")" "events[1].point" "unknown point message"
printf '{"events":[' >"$T/b"; ev x1 a-door explode "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "unknown event type"
printf '{"events":[' >"$T/b"; ev x1 b-gate open "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "point of another gateway"
printf '{"events":[' >"$T/b"; ev x1 a-door open "1999-01-01T00:00:00Z" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "time in the past"
printf '{"events":[' >"$T/b"; ev x1 a-door open "2999-01-01T00:00:00Z" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "time in the future"
printf '{"events":[' >"$T/b"; ev x1 a-door open "yesterday" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "time that is not a time"
printf '{"events":[' >"$T/b"; ev 'x 1<script>' a-door open "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
post "$GW" /api/v1/ingest "$T/b" 422 invalid "event id with bad characters"
printf '{"events":[' >"$T/b"; ev x1 a-door open "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
post "gw-test-a:wrong-secret-wrong-secret-000" /api/v1/ingest "$T/b" 401 unauthorized "wrong secret"
post "gw-nobody:test-gateway-a-secret-0123456789" /api/v1/ingest "$T/b" 401 unauthorized "unknown gateway"

# A batch over the limit (1001 events) and a body over the limit (> 1 MiB).
{
	printf '{"events":['
	i=0
	while [ $i -lt 1001 ]; do
		[ $i -gt 0 ] && printf ','
		ev "big-$i" a-door open "$NOW"
		i=$((i + 1))
	done
	printf ']}'
} >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 413 too_large "batch of 1001 events"
{
	printf '{"events":[{"id":"x1","point":"a-door","type":"open","ts":"%s","value":"' "$NOW"
	head -c 1100000 /dev/zero | tr '\0' a
	printf '"}]}'
} >"$T/b"
post "$GW" /api/v1/ingest "$T/b" 413 too_large "body over 1 MiB"

# Positions: absurd coordinates, accuracy and times.
printf '{"positions":[{"ts":"%s","lat":91.5,"lon":-1.54}]}' "$NOW" >"$T/b"
post "$DEV" /api/v1/ingest/positions "$T/b" 422 invalid "latitude 91.5"
printf '{"positions":[{"ts":"%s","lat":53.79,"lon":-181}]}' "$NOW" >"$T/b"
post "$DEV" /api/v1/ingest/positions "$T/b" 422 invalid "longitude -181"
printf '{"positions":[{"ts":"%s","lat":53.79,"lon":-1.54,"accuracy":-3}]}' "$NOW" >"$T/b"
post "$DEV" /api/v1/ingest/positions "$T/b" 422 invalid "negative accuracy"
printf '{"positions":[{"ts":"%s","lat":"north","lon":-1.54}]}' "$NOW" >"$T/b"
post "$DEV" /api/v1/ingest/positions "$T/b" 422 invalid "latitude as text"
printf '{"positions":[{"ts":"2999-01-01T00:00:00Z","lat":53.79,"lon":-1.54}]}' >"$T/b"
post "$DEV" /api/v1/ingest/positions "$T/b" 422 invalid "position from the future"
printf '{"positions":[{"ts":"%s","lat":53.79,"lon":-1.54}]}' "$NOW" >"$T/b"
post "T1:wrong-device-secret-0000000000" /api/v1/ingest/positions "$T/b" 401 unauthorized "wrong device secret"

# People: bad login bodies and bad action bodies.
printf '{"user":"dora"}' >"$T/b"
post ":" /api/v1/login "$T/b" 422 invalid "login without a password"
TOKEN=$(login dora dispatch-pw-1)
printf '{"events":[' >"$T/b"; ev ok1 a-door forced "$NOW" >>"$T/b"; printf ']}' >>"$T/b"
ID=$(curl -s -u "$GW" --data-binary "@$T/b" "$URL/api/v1/ingest" | jq -r '.results[0].alarm')
before=$(sqlq "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM alarms) || ' ' || (SELECT count(*) FROM positions) || ' ' || (SELECT count(*) FROM stream) || ' ' || (SELECT count(*) FROM audit)")
for body in '{"version":"one"}' '{}' '{"version":1,"extra":true}' '{"version":1' '[1]'; do
	api POST "/api/v1/alarms/$ID/ack" "$body" >/dev/null
	case "$HTTP_STATUS" in 400|422) ;; *) fail "ack with $body: status $HTTP_STATUS" ;; esac
done
api POST "/api/v1/alarms/$ID/close" '{"version":1,"resolution":"bored","note":"x"}' >/dev/null
assert_eq 422 "$HTTP_STATUS" "close with an unknown resolution"
api POST "/api/v1/alarms/$ID/assign" '{"version":1,"guard":"NOBODY"}' >/dev/null
assert_eq 422 "$HTTP_STATUS" "assign to an unknown guard"

after=$(sqlq "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM alarms) || ' ' || (SELECT count(*) FROM positions) || ' ' || (SELECT count(*) FROM stream) || ' ' || (SELECT count(*) FROM audit)")
assert_eq "$before" "$after" "events alarms positions stream audit after bad input"
assert_eq "new 1" "$(sqlq "SELECT state || ' ' || version FROM alarms WHERE id=$ID")" "alarm after bad actions"
assert_eq 0 "$(sqlq "SELECT count(*) FROM events WHERE gw_event_id LIKE 'x%' OR gw_event_id LIKE 'big-%'")" "refused events stored"
vigild_stop
