#!/bin/sh
# Every role against every residents and access endpoint (deny by default),
# including a manager of another company: another site's residents, rights
# and site endpoints are 404 for them, never 403, so their existence is not told.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
site_import "$VIGIL_TOP/tests/e2e/data/access.site"
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
role_users quayside testyard
vigild_start
role_logins

TOKEN=$TOK_admin
R=$(api POST /api/v1/residents '{"site":"quayside","name":"Role Test","phone":"+447700900555","unit":{"building":"Block A","entrance":"1","apartment":"2"},"credentials":[{"kind":"card","value":"C0FFEE"}]}' | jq -r .resident.id)
[ "$R" -gt 0 ] 2>/dev/null || fail "no resident"
RT=$(api POST /api/v1/residents/$R/rights '{"point":"q-gate"}' | jq -r .right.id)
[ "$RT" -gt 0 ] 2>/dev/null || fail "no right"
C=$(sqlq "SELECT id FROM credentials WHERE resident_id=$R")
CSV='name,building,entrance,apartment,role
Csv Person,Block A,2,3,resident'

# method path body: expected status for admin super disp mgr mgr2 guard none.
# Writes use bodies that fail validation (422) or a stale version (409), so
# a role that gets through changes nothing and the next row sees the same data.
while IFS='|' read -r method path body expect; do
	[ -n "$method" ] || continue
	path=$(echo "$path" | sed "s/@R/$R/g; s/@T/$RT/g; s/@C/$C/g")
	i=0
	for role in admin super disp mgr mgr2 guard none; do
		i=$((i + 1))
		want=$(echo "$expect" | cut -d' ' -f$i)
		eval TOKEN=\$TOK_$role
		if [ "$body" = "@CSV" ]; then
			HTTP_STATUS=$(curl -s -o "$T/.api_body" -w '%{http_code}' -X POST \
				${TOKEN:+-H "Authorization: Bearer $TOKEN"} -H 'Content-Type: text/csv' \
				--data-binary "$CSV" "$URL$path")
		elif [ -n "$body" ]; then
			api "$method" "$path" "$body" >/dev/null
		else
			api "$method" "$path" >/dev/null
		fi
		[ "$HTTP_STATUS" = "$want" ] ||
			fail "$role $method $path: expected $want, got $HTTP_STATUS: $(cat "$T/.api_body")"
	done
done <<'TABLE'
GET|/api/v1/residents||200 200 200 200 200 403 401
GET|/api/v1/residents?site=quayside||200 200 200 200 422 403 401
GET|/api/v1/residents/@R||200 200 200 200 404 403 401
GET|/api/v1/residents/999999||404 404 404 404 404 403 401
POST|/api/v1/residents|{"site":"quayside","name":"X","phone":"bad","unit":{"building":"Block A","entrance":"1","apartment":"1"}}|422 422 403 422 422 403 401
PATCH|/api/v1/residents/@R|{"version":99,"name":"X"}|409 409 403 409 404 403 401
DELETE|/api/v1/residents/@R|{"version":99}|409 409 403 409 404 403 401
POST|/api/v1/residents/@R/credentials|{"kind":"card","value":"C0FFEE"}|409 409 403 409 404 403 401
DELETE|/api/v1/residents/@R/credentials/999999||404 404 403 404 404 403 401
POST|/api/v1/residents/@R/rights|{"point":"q-motion"}|422 422 403 422 404 403 401
GET|/api/v1/rights/@T||200 200 200 200 404 403 401
POST|/api/v1/rights/@T/suspend|{"reason":"x","version":99}|409 409 403 409 404 403 401
POST|/api/v1/rights/@T/resume|{}|409 409 403 409 404 403 401
POST|/api/v1/rights/@T/revoke|{"reason":"x","version":99}|409 409 403 409 404 403 401
GET|/api/v1/sites/quayside/access-points||200 200 200 200 404 403 401
GET|/api/v1/access||200 200 200 200 200 403 401
GET|/api/v1/access?site=quayside||200 200 200 200 422 403 401
POST|/api/v1/sites/quayside/residents/import?dry_run=1|@CSV|200 200 403 200 404 403 401
GET|/api/v1/sites/quayside/residents.csv||200 200 403 200 404 403 401
GET|/api/v1/gateways/gw-quay-a/access-list||401 401 401 401 401 401 401
TABLE

# The other company's manager sees none of this site's residents in lists.
TOKEN=$TOK_mgr2
assert_eq 0 "$(api GET /api/v1/residents | jq '.residents | length')" "mgr2 list"
TOKEN=$TOK_mgr
assert_eq 1 "$(api GET /api/v1/residents | jq '.residents | length')" "mgr list"
TOKEN=$TOK_disp
assert_eq null "$(api GET /api/v1/residents | jq -r '.residents[0].phone')" "dispatcher phone"
# A gateway may fetch only its own list.
code=$(curl -s -o /dev/null -w '%{http_code}' -u gw-test-a:test-gateway-a-secret-0123456789 "$URL/api/v1/gateways/gw-quay-a/access-list")
assert_eq 403 "$code" "another site's gateway"
# Nothing above changed the resident.
assert_eq "1|1" "$(sqlq "SELECT version, (SELECT version FROM rights WHERE id=$RT) FROM residents WHERE id=$R")" "versions"
assert_eq 1 "$(sqlq 'SELECT count(*) FROM residents')" "residents"
note ok
