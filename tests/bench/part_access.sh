# part_access.sh: a gateway's access list (sourced by run.sh).
#
# A site of 50,000 residents with 100,000 credentials (a card and a plate
# each), every resident with a right to a group of the gateway's gates and
# one in ten with a second, timed right to one gate.  The rows are written
# by the sqlite3 shell straight into the database after the site import.
# Measured: GET access-list (built and sent, curl time_total, median of
# several runs) and the 304 for an unchanged list; reference in the same
# run: the sqlite3 shell selecting the same rows as JSON.

ACCESS_RUNS=${BENCH_ACCESS_RUNS:-7}

# The median of the numbers on standard input.
access_median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

bench_access() {
	A=$W/access
	mkdir -p "$A"
	say "== access list: 50000 residents, 100000 credentials, $ACCESS_RUNS runs each (median)"
	cat >"$A/access.site" <<'SITE'
[site]
key = bench-access
name = Access benchmark
timezone = Europe/London
[gateway gw-access]
name = Gate controller
secret = bench-access-gateway-secret-0123456789
[point gate-1]
label = Gate 1
type = gate
gateway = gw-access
access = yes
[point gate-2]
label = Gate 2
type = gate
gateway = gw-access
access = yes
[point barrier-1]
label = Barrier
type = barrier
gateway = gw-access
access = yes
[building Tower]
entrances = 1-10
apartments = 1-5000
[access-group gates]
name = All gates
points = gate-1 gate-2 barrier-1
SITE
	"$BIN/vigild" --db "$A/access.db" site import "$A/access.site" >/dev/null 2>&1 ||
		{ say "access: site import failed"; return 1; }
	t0=$(now_ms)
	sqlite3 "$A/access.db" >/dev/null <<'SQL' || { say "access: fill failed"; return 1; }
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO residents (id, site_id, name, phone, building, entrance, apartment, role, created_ms, updated_ms)
SELECT i, 1, 'Resident ' || i, printf('+4477009%05d', i), 'Tower', i % 10 + 1, i % 5000 + 1, 'resident', 0, 0 FROM n;
INSERT INTO credentials (resident_id, site_id, kind, value, created_ms)
SELECT id, 1, 'card', printf('C%08X', id * 7919), 0 FROM residents;
INSERT INTO credentials (resident_id, site_id, kind, value, created_ms)
SELECT id, 1, 'plate', printf('PL%06d', id), 0 FROM residents;
INSERT INTO rights (resident_id, site_id, group_id, days, from_min, until_min, created_ms, updated_ms)
SELECT id, 1, (SELECT id FROM access_groups), 127, 0, 1440, 0, 0 FROM residents;
INSERT INTO rights (resident_id, site_id, point_id, days, from_min, until_min, valid_until_ms, created_ms, updated_ms)
SELECT id, 1, (SELECT id FROM points WHERE key = 'gate-1'), 31, 420, 1140, 1830297600000, 0, 0 FROM residents WHERE id % 10 = 0;
UPDATE sites SET access_version = access_version + 1;
COMMIT;
SQL
	say "fill with the sqlite3 shell:                       $(($(now_ms) - t0)) ms"
	vigild_start "$A/access.db"
	AUTH=gw-access:bench-access-gateway-secret-0123456789
	LIST=$URL/api/v1/gateways/gw-access/access-list
	curl -s -D "$A/h" -o "$A/list.json" -u "$AUTH" "$LIST"
	etag=$(sed -n 's/^etag: //Ip' "$A/h" | tr -d '\r')
	creds=$(jq '.credentials | length' "$A/list.json" 2>/dev/null)
	bytes=$(wc -c <"$A/list.json")
	say "list: $creds credentials, $bytes bytes, ETag $etag"
	: >"$A/full"
	: >"$A/304"
	i=0
	while [ $i -lt "$ACCESS_RUNS" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' -u "$AUTH" "$LIST" >>"$A/full"
		curl -s -o /dev/null -w '%{time_total}\n' -u "$AUTH" -H "If-None-Match: $etag" "$LIST" >>"$A/304"
		i=$((i + 1))
	done
	full=$(awk '{ printf "%.1f\n", $1 * 1000 }' "$A/full" | access_median)
	nm=$(awk '{ printf "%.2f\n", $1 * 1000 }' "$A/304" | access_median)
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "$AUTH" -H "If-None-Match: $etag" "$LIST")
	: >"$A/ref"
	i=0
	while [ $i -lt "$ACCESS_RUNS" ]; do
		t0=$(now_ms)
		sqlite3 -json "$A/access.db" "SELECT c.kind, c.value, c.resident_id, r.point_id, r.group_id, r.days, r.from_min, r.until_min, r.valid_from_ms, r.valid_until_ms FROM credentials c JOIN rights r ON r.resident_id = c.resident_id AND r.state = 'active' WHERE c.site_id = 1 AND c.removed_ms IS NULL ORDER BY c.id, r.id" >"$A/ref.json"
		echo $(($(now_ms) - t0)) >>"$A/ref"
		i=$((i + 1))
	done
	ref=$(access_median <"$A/ref")
	say "GET access-list, built and sent (curl time_total): median $full ms (target < 200 ms: $(awk "BEGIN { print ($full < 200) ? \"met\" : \"NOT met\" }"))"
	say "  reference: sqlite3 -json, the same rows ($(wc -c <"$A/ref.json") bytes): median $ref ms"
	say "unchanged list, If-None-Match (HTTP $code):          median $nm ms"
	kill $VPID
	wait $VPID 2>/dev/null
}

bench_access
