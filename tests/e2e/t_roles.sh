#!/bin/sh
# Every role against every endpoint: a table of expected statuses (deny by
# default), plus site scope: a manager of another company's site sees
# nothing of this one.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
role_users testyard harbour
vigild_start
role_logins

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"r1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null
curl -s -u gw-harbour:harbour-gateway-secret-0123456789abcdef --data-binary \
	"{\"events\":[{\"id\":\"h1\",\"point\":\"h-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null
A=$(sqlq "SELECT a.id FROM alarms a JOIN sites s ON s.id = a.site_id WHERE s.key='testyard'")
[ -n "$A" ] || fail "no testyard alarm"

# method path body: expected status for admin super disp mgr mgr2 guard none
# (409 means the role got through to the alarm's state machine: the
# version given is stale on purpose, so nothing changes.)
while IFS='|' read -r method path body expect; do
	[ -n "$method" ] || continue
	path=$(echo "$path" | sed "s/@A/$A/")
	i=0
	for role in admin super disp mgr mgr2 guard none; do
		i=$((i + 1))
		want=$(echo "$expect" | cut -d' ' -f$i)
		eval TOKEN=\$TOK_$role
		if [ -n "$body" ]; then
			api "$method" "$path" "$body" >/dev/null
		else
			api "$method" "$path" >/dev/null
		fi
		[ "$HTTP_STATUS" = "$want" ] ||
			fail "$role $method $path: expected $want, got $HTTP_STATUS: $(cat "$T/.api_body")"
	done
done <<'TABLE'
GET|/api/v1/me||200 200 200 200 200 200 401
GET|/api/v1/alarms||200 200 200 200 200 403 401
GET|/api/v1/alarms/@A||200 200 200 200 404 403 401
GET|/api/v1/alarms/999999||404 404 404 404 404 403 401
POST|/api/v1/alarms/@A/ack|{"version":999}|409 409 409 403 403 403 401
POST|/api/v1/alarms/@A/assign|{"version":999,"guard":"T1"}|409 409 409 403 403 403 401
POST|/api/v1/alarms/@A/release|{"version":999}|409 409 409 403 403 403 401
POST|/api/v1/alarms/@A/close|{"version":999,"resolution":"test","note":"n"}|409 409 409 403 403 403 401
POST|/api/v1/alarms/@A/reopen|{"version":999}|409 409 403 403 403 403 401
POST|/api/v1/alarms/@A/notes|{"text":"role test"}|200 200 200 403 403 403 401
GET|/api/v1/guards||200 200 200 200 200 403 401
POST|/api/v1/guards/T2/status|{"status":"available"}|200 200 200 403 403 403 401
POST|/api/v1/guards/T1/status|{"status":"available"}|200 200 200 403 403 200 401
GET|/api/v1/sites||200 200 200 200 200 403 401
GET|/api/v1/sites/testyard||200 200 200 200 404 403 401
GET|/api/v1/sites/testyard/points||200 200 200 200 404 403 401
GET|/api/v1/sites/harbour||200 200 200 404 200 403 401
GET|/api/v1/gateways||200 200 200 200 200 403 401
GET|/api/v1/audit||200 200 403 403 403 403 401
POST|/api/v1/ingest|{"events":[]}|401 401 401 401 401 401 401
POST|/api/v1/ingest/positions|{"positions":[]}|401 401 401 401 401 401 401
GET|/api/v1/nothing-here||404 404 404 404 404 404 404
DELETE|/api/v1/alarms||405 405 405 405 405 405 405
TABLE

# Scope: each manager sees only its own company's site and alarms.
TOKEN=$TOK_mgr2
assert_eq "harbour" "$(api GET /api/v1/alarms | jq -r '[.alarms[].site] | unique | join(",")')" "mgr2 alarms"
assert_eq "harbour" "$(api GET /api/v1/sites | jq -r '[.sites[].key] | join(",")')" "mgr2 sites"
assert_eq "gw-harbour" "$(api GET /api/v1/gateways | jq -r '[.gateways[].key] | join(",")')" "mgr2 gateways"
TOKEN=$TOK_mgr
assert_eq "testyard" "$(api GET /api/v1/alarms | jq -r '[.alarms[].site] | unique | join(",")')" "mgr alarms"
api GET "/api/v1/alarms?site=harbour" >/dev/null
[ "$HTTP_STATUS" != 200 ] || fail "mgr could filter on another company's site"

# Nothing the refused calls tried was recorded as done.
assert_eq 0 "$(sqlq "SELECT count(*) FROM audit WHERE action IN ('alarm.ack','alarm.assign','alarm.release','alarm.close','alarm.reopen')")" \
	"audit entries of refused actions"
assert_eq "new" "$(sqlq "SELECT state FROM alarms WHERE id=$A")" "alarm state after refused actions"

# Logout revokes the token.
TOKEN=$TOK_disp
api POST /api/v1/logout >/dev/null
assert_eq 200 "$HTTP_STATUS" "logout"
api GET /api/v1/me >/dev/null
assert_eq 401 "$HTTP_STATUS" "me after logout"
vigild_stop
