#!/bin/sh
# Site maps through the API: a site file's [map] sections are imported with
# it (a bad map refused with its file:line:col and nothing stored), listed
# and fetched with an ETag; a guard's track after positions were posted;
# site scope (a manager of another site sees neither).
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
DATA=$VIGIL_TOP/tests/e2e/data

# A copy of small.site naming its map, beside the map file.
mkdir -p "$T/site" "$T/bad"
cp "$DATA/small.site" "$T/site/small.site"
printf '\n[map yard]\nfile = small-yard.map\n' >>"$T/site/small.site"
cp "$DATA/small-yard.map" "$T/site/small-yard.map"

# The same site with a map whose legend names a marker the drawing lacks.
cp "$T/site/small.site" "$T/bad/small.site"
sed 's/^G = b-gate/Q = b-gate/' "$DATA/small-yard.map" >"$T/bad/small-yard.map"
line=$(grep -n '^Q = b-gate' "$T/bad/small-yard.map" | cut -d: -f1)
if "$VIGIL_BIN/vigild" --db "$DB" site import "$T/bad/small.site" \
    >"$T/bad.out" 2>&1; then
	fail "a site with a bad map was imported"
fi
assert_contains "$(cat "$T/bad.out")" \
	"small-yard.map:$line:1: legend marker 'Q' is not in the drawing" \
	"bad map import"
assert_eq 0 "$(sqlq "SELECT count(*) FROM sites")" "sites after a refused import"
assert_eq 0 "$(sqlq "SELECT count(*) FROM maps")" "maps after a refused import"

site_import "$T/site/small.site"
site_import "$DATA/harbour.site"
assert_eq "yard|outdoor|A|0" \
	"$(sqlq "SELECT key, kind, building, floor FROM maps")" "stored map"
ETAG=$(sqlq "SELECT etag FROM maps WHERE key = 'yard'")

# A bad map in a later import changes nothing either.
cp "$T/bad/small-yard.map" "$T/site/small-yard.map"
if "$VIGIL_BIN/vigild" --db "$DB" site import "$T/site/small.site" \
    >"$T/bad2.out" 2>&1; then
	fail "a bad map replaced a good one"
fi
assert_eq "$ETAG" "$(sqlq "SELECT etag FROM maps WHERE key = 'yard'")" \
	"map after a refused re-import"
cp "$DATA/small-yard.map" "$T/site/small-yard.map"

printf 'maps-pw-admin\n' | user_add root admin
printf 'maps-pw-disp\n' | user_add dora dispatcher
printf 'maps-pw-mgr\n' | user_add mia manager --site testyard
printf 'maps-pw-mgr2\n' | user_add max manager --site harbour
printf 'maps-pw-guard\n' | user_add gus guard --guard T1
vigild_start
TOK_admin=$(login root maps-pw-admin)
TOK_disp=$(login dora maps-pw-disp)
TOK_mgr=$(login mia maps-pw-mgr)
TOK_mgr2=$(login max maps-pw-mgr2)
TOK_guard=$(login gus maps-pw-guard)

# The list.
TOKEN=$TOK_disp
out=$(api GET /api/v1/sites/testyard/maps)
assert_eq 200 "$(last_status)" "map list"
assert_eq 'yard|Test yard|outdoor|A|0|1' "$(printf '%s' "$out" |
	jq -r '[.maps[0].key, .maps[0].name, .maps[0].kind, .maps[0].building,
	.maps[0].floor, (.maps | length)] | join("|")')" "map list"
assert_eq "$ETAG" "$(printf '%s' "$out" | jq -r '.maps[0].etag')" "listed etag"
printf '%s' "$out" | jq -e '.maps[0].updated | test("^20..-..-..T..:..:..\\....Z$")' \
	>/dev/null || fail "map list: updated is not an ISO time: $out"

# One map: its text (as in the file), its ETag, and 304 when unchanged.
curl -s -D "$T/headers" -o "$T/map.json" -H "Authorization: Bearer $TOK_disp" \
	"$URL/api/v1/sites/testyard/maps/yard"
grep -qi "^etag: \"$ETAG\"" "$T/headers" || fail "no ETag \"$ETAG\": $(cat "$T/headers")"
jq -j .text "$T/map.json" >"$T/map.txt"
cmp -s "$T/map.txt" "$DATA/small-yard.map" || fail "the map's text differs from its file"
assert_eq "yard|testyard" "$(jq -r '.key + "|" + .site' "$T/map.json")" "map"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK_disp" \
	-H "If-None-Match: \"$ETAG\"" "$URL/api/v1/sites/testyard/maps/yard")
assert_eq 304 "$code" "If-None-Match with the current ETag"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK_disp" \
	-H 'If-None-Match: "0000"' "$URL/api/v1/sites/testyard/maps/yard")
assert_eq 200 "$code" "If-None-Match with another ETag"
api GET /api/v1/sites/testyard/maps/nothing >/dev/null
assert_eq 404 "$(last_status)" "a map that does not exist"

# Scope and roles: the site's manager sees it, another site's does not, a
# guard's account may not read maps at all.
TOKEN=$TOK_mgr
api GET /api/v1/sites/testyard/maps/yard >/dev/null
assert_eq 200 "$(last_status)" "manager of testyard: map"
TOKEN=$TOK_mgr2
api GET /api/v1/sites/testyard/maps >/dev/null
assert_eq 404 "$(last_status)" "manager of harbour: testyard's maps"
api GET /api/v1/sites/testyard/maps/yard >/dev/null
assert_eq 404 "$(last_status)" "manager of harbour: testyard's map"
out=$(api GET /api/v1/sites/harbour/maps)
assert_eq 0 "$(printf '%s' "$out" | jq '.maps | length')" "harbour has no maps"
TOKEN=$TOK_guard
api GET /api/v1/sites/testyard/maps >/dev/null
assert_eq 403 "$(last_status)" "guard account: maps"
TOKEN=""
api GET /api/v1/sites/testyard/maps >/dev/null
assert_eq 401 "$(last_status)" "no token: maps"

# A track: three positions of T1 (available, so recorded), posted out of order.
now=$(date -u +%s)
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
T0=$(ts $((now - 120)))
T1=$(ts $((now - 60)))
T2=$(ts "$now")
out=$(curl -s -u T1:test-guard-t1-device-secret-0123 --data-binary \
	"{\"positions\":[{\"ts\":\"$T1\",\"lat\":53.7955,\"lon\":-1.5400,\"accuracy\":5.0},
	{\"ts\":\"$T0\",\"lat\":53.7950,\"lon\":-1.5410,\"accuracy\":8.0},
	{\"ts\":\"$T2\",\"lat\":53.7952,\"lon\":-1.5395}]}" \
	"$URL/api/v1/ingest/positions")
assert_eq 3 "$(printf '%s' "$out" | jq .stored)" "positions stored ($out)"

TOKEN=$TOK_disp
out=$(api GET /api/v1/guards/T1/track)
assert_eq 200 "$(last_status)" "track"
assert_eq "T1|3|false" "$(printf '%s' "$out" |
	jq -r '[.guard, (.positions | length), .more] | map(tostring) | join("|")')" "track"
assert_eq "$T0 53.795 -1.541 8|$T1 53.7955 -1.54 5|$T2 53.7952 -1.5395 null" \
	"$(printf '%s' "$out" | jq -r '[.positions[] |
	"\(.ts) \(.lat) \(.lon) \(.accuracy)"] | join("|")')" "track in time order"

out=$(api GET "/api/v1/guards/T1/track?limit=2")
assert_eq "2|true|$T1" "$(printf '%s' "$out" |
	jq -r '[(.positions | length), .more, .positions[1].ts] | map(tostring) | join("|")')" \
	"track with limit=2"
out=$(api GET "/api/v1/guards/T1/track?since=$T1&until=$T1")
assert_eq "1|$T1" "$(printf '%s' "$out" |
	jq -r '[(.positions | length), .positions[0].ts] | map(tostring) | join("|")')" \
	"track of one instant"
out=$(api GET "/api/v1/guards/T1/track?since=$(ts $((now - 7200)))&until=$(ts $((now - 3600)))")
assert_eq 0 "$(printf '%s' "$out" | jq '.positions | length')" "track of an empty period"
api GET "/api/v1/guards/T1/track?since=yesterday" >/dev/null
assert_eq 400 "$(last_status)" "track with a bad since"
assert_contains "$(cat "$T/.api_body")" "since" "bad since message"
api GET "/api/v1/guards/T1/track?limit=0" >/dev/null
assert_eq 400 "$(last_status)" "track with limit=0"
api GET "/api/v1/guards/T1/track?since=$T2&until=$T0" >/dev/null
assert_eq 400 "$(last_status)" "track ending before it starts"
api GET /api/v1/guards/NOBODY/track >/dev/null
assert_eq 404 "$(last_status)" "track of an unknown guard"

TOKEN=$TOK_mgr
api GET /api/v1/guards/T1/track >/dev/null
assert_eq 200 "$(last_status)" "manager of testyard: T1's track"
TOKEN=$TOK_mgr2
api GET /api/v1/guards/T1/track >/dev/null
assert_eq 404 "$(last_status)" "manager of harbour: T1's track"
TOKEN=$TOK_guard
api GET /api/v1/guards/T1/track >/dev/null
assert_eq 403 "$(last_status)" "guard account: track"

note "ok"
