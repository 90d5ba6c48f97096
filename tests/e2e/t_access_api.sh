#!/bin/sh
# Residents and access rights through the API: CRUD, validation naming the
# field, version conflicts, audit entries and stream messages, the gateway
# access list with its ETag, access events linked to residents, and
# repeated denials at one gate raising an alarm.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
site_import "$VIGIL_TOP/tests/e2e/data/access.site"
printf 'access-pw-admin\n' | user_add root admin
printf 'access-pw-disp\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login root access-pw-admin)
GW=gw-quay-a:quay-gateway-a-secret-0123456789

# Create, with a card and a plate; values are normalised.
out=$(api POST /api/v1/residents '{"site":"quayside","name":"Jo Bloggs","phone":"+447700900123","email":"jo@example.org","unit":{"building":"Block A","entrance":"1","apartment":"012"},"role":"resident","credentials":[{"kind":"card","value":"04a1b2"},{"kind":"plate","value":"ab12 cde"}]}')
assert_eq 201 "$(last_status)" "create status"
R=$(printf '%s' "$out" | jq -r .resident.id)
assert_eq "12" "$(printf '%s' "$out" | jq -r .resident.unit.apartment)" "apartment"
assert_eq "04A1B2 AB12CDE" "$(printf '%s' "$out" | jq -r '[.resident.credentials[].value] | join(" ")')" "credentials"

# Validation: each violation is a 422 naming its field.
check_invalid() {
	out=$(api POST /api/v1/residents "$1")
	assert_eq "$2" "$(last_status)" "status for $3"
	assert_eq "$3" "$(printf '%s' "$out" | jq -r .error.field)" "field ($out)"
	assert_contains "$(printf '%s' "$out" | jq -r .error.message)" "$3" "message"
}
U='"unit":{"building":"Block A","entrance":"1","apartment":"1"}'
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"phone\":\"07700900123\",$U}" 422 phone
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"phone\":\"+12\",$U}" 422 phone
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"email\":\"a@b@c.org\",$U}" 422 email
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"email\":\"a b@c.org\",$U}" 422 email
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"email\":\"a@localhost\",$U}" 422 email
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",\"role\":\"tenant\",$U}" 422 role
check_invalid '{"site":"quayside","name":"A","unit":{"building":"Block Z","entrance":"1","apartment":"1"}}' 422 unit.building
check_invalid '{"site":"quayside","name":"A","unit":{"building":"Block A","entrance":"3","apartment":"1"}}' 422 unit.entrance
check_invalid '{"site":"quayside","name":"A","unit":{"building":"Block B","entrance":"A","apartment":"50"}}' 422 unit.apartment
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",$U,\"credentials\":[{\"kind\":\"iris\",\"value\":\"x\"}]}" 422 'credentials[0].kind'
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",$U,\"credentials\":[{\"kind\":\"card\",\"value\":\"04A1B2\"}]}" 409 'credentials[0].value'
check_invalid "{\"site\":\"quayside\",\"name\":\"A\",$U,\"colour\":\"red\"}" 422 colour
[ "$(sqlq 'SELECT count(*) FROM residents')" = 1 ] || fail "a refused create stored something"

# Update with the version seen; a stale version is a conflict.
out=$(api PATCH /api/v1/residents/$R '{"version":1,"email":null,"unit":{"building":"Block B","entrance":"B","apartment":"105"}}')
assert_eq 200 "$(last_status)" "patch"
assert_eq "null 2 B" "$(printf '%s' "$out" | jq -r '"\(.resident.email) \(.resident.version) \(.resident.unit.entrance)"')" "patched"
api PATCH /api/v1/residents/$R '{"version":1,"name":"Late"}' >/dev/null
assert_eq 409 "$(last_status)" "stale patch"
out=$(api PATCH /api/v1/residents/$R '{"version":2,"phone":"+44"}')
assert_eq phone "$(printf '%s' "$out" | jq -r .error.field)" "patch field"

# Rights: to a group and to a point; bad schedules name their field.
out=$(api POST /api/v1/residents/$R/rights '{"group":"all-entries","days":"mon-fri","from":"07:00","until":"19:00"}')
assert_eq 201 "$(last_status)" "grant group"
G=$(printf '%s' "$out" | jq -r .right.id)
out=$(api POST /api/v1/residents/$R/rights '{"point":"q-door","from":"22:00","until":"06:00"}')
assert_eq 201 "$(last_status)" "grant point"
P=$(printf '%s' "$out" | jq -r .right.id)
for b in '{"point":"q-motion"}|point' '{"group":"nope"}|group' '{"point":"q-gate","days":"mon-funday"}|days' \
	'{"point":"q-gate","from":"7am"}|from' '{"point":"q-gate","from":"08:00","until":"08:00"}|until' \
	'{"point":"q-gate","valid_from":"2027-01-01T00:00:00Z","valid_until":"2026-01-01T00:00:00Z"}|valid_until' \
	'{"point":"q-gate","group":"all-entries"}|point'; do
	body=${b%|*}
	out=$(api POST /api/v1/residents/$R/rights "$body")
	assert_eq 422 "$(last_status)" "right $body"
	assert_eq "${b##*|}" "$(printf '%s' "$out" | jq -r .error.field)" "right field $body"
done

# The access list: ETag, 304, another gateway's list refused.
curl -s -D "$T/h1" -o "$T/list1" -u "$GW" "$URL/api/v1/gateways/gw-quay-a/access-list"
E1=$(sed -n 's/^etag: //Ip' "$T/h1" | tr -d '\r')
[ -n "$E1" ] || fail "no ETag"
assert_eq '["q-gate","q-barrier"]' "$(jq -c '.credentials[] | select(.value=="04A1B2") | .points' "$T/list1")" "card points"
assert_eq mon-fri "$(jq -r '.credentials[0].schedules[0].days' "$T/list1")" "schedule days"
code=$(curl -s -o "$T/list2" -w '%{http_code}' -H "If-None-Match: $E1" -u "$GW" "$URL/api/v1/gateways/gw-quay-a/access-list")
assert_eq 304 "$code" "unchanged list"
[ ! -s "$T/list2" ] || fail "a 304 came with a body"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$GW" "$URL/api/v1/gateways/gw-quay-b/access-list")
assert_eq 403 "$code" "another gateway's list"

# Suspend (reason required), version conflicts, resume, revoke (final).
api POST /api/v1/rights/$G/suspend '{}' >/dev/null
assert_eq 422 "$(last_status)" "suspend without reason"
out=$(api POST /api/v1/rights/$G/suspend '{"reason":"unpaid fees","version":1}')
assert_eq "suspended unpaid fees 2" "$(printf '%s' "$out" | jq -r '"\(.right.state) \(.right.reason) \(.right.version)"')" "suspended"
api POST /api/v1/rights/$G/resume '{"version":1}' >/dev/null
assert_eq 409 "$(last_status)" "stale resume"
code=$(curl -s -o "$T/list3" -w '%{http_code}' -H "If-None-Match: $E1" -u "$GW" "$URL/api/v1/gateways/gw-quay-a/access-list")
assert_eq 200 "$code" "a change alters the list"
assert_eq 0 "$(jq '.credentials | length' "$T/list3")" "suspended right left out"
api POST /api/v1/rights/$G/resume '{}' >/dev/null
assert_eq 200 "$(last_status)" "resume"
api POST /api/v1/rights/$P/revoke '{"reason":"moved out"}' >/dev/null
assert_eq 200 "$(last_status)" "revoke"
api POST /api/v1/rights/$P/resume '{}' >/dev/null
assert_eq 409 "$(last_status)" "resume a revoked right"

# Access events: linked to the resident; five denials at a gate raise an alarm.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -u "$GW" --data-binary "{\"events\":[{\"id\":\"g1\",\"point\":\"q-gate\",\"type\":\"access_granted\",\"ts\":\"$NOW\",\"credential\":\"04A1B2\"}]}" "$URL/api/v1/ingest" >/dev/null
out=$(api GET "/api/v1/access?resident=$R")
assert_eq "granted Jo Bloggs" "$(printf '%s' "$out" | jq -r '.events[0] | "\(.result) \(.resident.name)"')" "linked event"
for i in 1 2 3 4; do
	out=$(curl -s -u "$GW" --data-binary "{\"events\":[{\"id\":\"d$i\",\"point\":\"q-barrier\",\"type\":\"access_denied\",\"ts\":\"$NOW\",\"credential\":\"plate:xx99\"}]}" "$URL/api/v1/ingest")
	assert_eq null "$(printf '%s' "$out" | jq -r '.results[0].alarm')" "denial $i"
done
out=$(curl -s -u "$GW" --data-binary "{\"events\":[{\"id\":\"d5\",\"point\":\"q-barrier\",\"type\":\"access_denied\",\"ts\":\"$NOW\",\"credential\":\"plate:xx99\"}]}" "$URL/api/v1/ingest")
A=$(printf '%s' "$out" | jq -r '.results[0].alarm')
[ "$A" != null ] || fail "five denials raised no alarm: $out"
out=$(api GET /api/v1/alarms/$A)
assert_eq "access_denied q-barrier" "$(printf '%s' "$out" | jq -r '"\(.alarm.type) \(.alarm.point)"')" "denial alarm"
out=$(api GET /api/v1/residents/$R)
assert_eq 1 "$(printf '%s' "$out" | jq '.recent | length')" "recent access"
assert_eq 2 "$(printf '%s' "$out" | jq '.rights | length')" "rights shown"

# Dispatchers: names and units, no contact fields or credential values.
DTOK=$(login dora access-pw-disp)
out=$(TOKEN=$DTOK api GET /api/v1/residents/$R)
assert_eq "Jo Bloggs null null null" "$(printf '%s' "$out" | jq -r '"\(.resident.name) \(.resident.phone) \(.resident.credentials[0].value) \(.recent[0].credential)"')" "dispatcher view"

# Remove: rights revoked, credentials gone from the list, kept for history.
api DELETE /api/v1/residents/$R >/dev/null
assert_eq 200 "$(last_status)" "remove"
api DELETE /api/v1/residents/$R >/dev/null
assert_eq 404 "$(last_status)" "remove twice"
assert_eq "revoked" "$(sqlq "SELECT group_concat(DISTINCT state) FROM rights WHERE resident_id=$R")" "rights revoked"
curl -s -o "$T/list4" -u "$GW" "$URL/api/v1/gateways/gw-quay-a/access-list"
assert_eq 0 "$(jq '.credentials | length' "$T/list4")" "removed resident's list"

# Every change audited in the chain, and on the stream.
for a in resident.create resident.update resident.remove right.grant right.suspend right.resume right.revoke; do
	[ "$(sqlq "SELECT count(*) FROM audit WHERE action='$a'")" -ge 1 ] || fail "no audit entry $a"
done
assert_eq 0 "$(sqlq "SELECT count(*) FROM audit WHERE action LIKE 'resident.%' AND object_type <> 'resident'")" "object type"
for ty in resident right; do
	[ "$(sqlq "SELECT count(*) FROM stream WHERE type='$ty'")" -ge 1 ] || fail "no $ty stream message"
done
assert_eq 0 "$(sqlq "SELECT count(*) FROM stream WHERE type='resident' AND (data LIKE '%+4477%' OR data LIKE '%04A1B2%')")" "stream without contact data"
# Each access attempt is on the stream with its resident, never with the credential.
assert_eq 6 "$(sqlq "SELECT count(*) FROM stream WHERE type='access'")" "access messages"
assert_eq "granted q-gate Jo Bloggs" "$(sqlq "SELECT data FROM stream WHERE type='access' ORDER BY seq LIMIT 1" | jq -r '"\(.result) \(.point) \(.resident.name)"')" "the granted attempt on the stream"
assert_eq "denied null" "$(sqlq "SELECT data FROM stream WHERE type='access' ORDER BY seq DESC LIMIT 1" | jq -r '"\(.result) \(.resident)"')" "a stranger's denial on the stream"
assert_eq 0 "$(sqlq "SELECT count(*) FROM stream WHERE type='access' AND (data LIKE '%04A1B2%' OR data LIKE '%XX99%' OR data LIKE '%xx99%')")" "stream without credentials"
"$VIGIL_BIN/vigild" --db "$DB" audit verify >>"$T/vigild.log" 2>&1 || fail "audit chain does not verify"
note ok
