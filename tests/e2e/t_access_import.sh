#!/bin/sh
# CSV import of residents: 10,000 good rows in one transaction; one bad row
# imports nothing and is named by its line; a dry run changes nothing;
# RFC 4180 quoting (commas, doubled quotes, line breaks) keeps line numbers.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 300
site_import "$VIGIL_TOP/tests/e2e/data/access.site"
printf 'import-pw-admin\n' | user_add root admin
vigild_start
TOKEN=$(login root import-pw-admin)

# import FILE [QUERY]: post FILE as CSV; prints the reply, status in $T/.st
import() {
	curl -s -o "$T/.reply" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: text/csv' --data-binary "@$1" \
		"$URL/api/v1/sites/quayside/residents/import$2" >"$T/.st"
	cat "$T/.reply"
}

awk 'BEGIN { print "name,phone,email,building,entrance,apartment,role,credentials";
	for (i = 1; i <= 10000; i++)
		printf "R%05d,+4477009%05d,,Block A,%d,%d,resident,card:C%05d\n", i, i, i % 2 + 1, i % 48 + 1, i }' >"$T/good.csv"

# A dry run checks every row and stores nothing.
out=$(import "$T/good.csv" "?dry_run=1")
assert_eq 200 "$(cat "$T/.st")" "dry run status: $out"
assert_eq "10000 10000 true" "$(printf '%s' "$out" | jq -r '"\(.rows) \(.imported) \(.dry_run)"')" "dry run"
assert_eq 0 "$(sqlq 'SELECT count(*) FROM residents')" "dry run stored"

# One bad row (line 5002: row 5001) refuses the whole file and is named.
sed '5002s/+4477009/07700/' "$T/good.csv" >"$T/bad.csv"
out=$(import "$T/bad.csv")
assert_eq 422 "$(cat "$T/.st")" "bad file status"
assert_eq "5002 phone 0" "$(printf '%s' "$out" | jq -r '"\(.errors[0].line) \(.errors[0].field) \(.imported)"')" "bad row named"
assert_eq 1 "$(printf '%s' "$out" | jq -r .errors_total)" "one error"
assert_eq 0 "$(sqlq 'SELECT count(*) FROM residents')" "bad file stored"

# The good file imports whole, in one transaction: one stream message.
HEAD0=$(sqlq 'SELECT coalesce(max(seq),0) FROM stream')
out=$(import "$T/good.csv")
assert_eq 200 "$(cat "$T/.st")" "good file status: $out"
assert_eq 10000 "$(printf '%s' "$out" | jq -r .imported)" "imported"
assert_eq 10000 "$(sqlq 'SELECT count(*) FROM residents')" "residents"
assert_eq 10000 "$(sqlq 'SELECT count(*) FROM credentials')" "credentials"
assert_eq 1 "$(sqlq "SELECT count(*) FROM stream WHERE seq > $HEAD0")" "one stream message"
assert_eq 1 "$(sqlq "SELECT count(DISTINCT ts_ms) FROM audit WHERE action = 'resident.import'")" "one transaction time"
assert_eq 10000 "$(sqlq "SELECT count(*) FROM audit WHERE action = 'resident.import'")" "audited rows"

# Importing it again: every credential is already held (409s by row).
out=$(import "$T/good.csv")
assert_eq 422 "$(cat "$T/.st")" "again"
assert_eq "2 credentials" "$(printf '%s' "$out" | jq -r '"\(.errors[0].line) \(.errors[0].field)"')" "held credential"
assert_eq 100 "$(printf '%s' "$out" | jq '.errors | length')" "errors listed"

# Quoting: commas, doubled quotes and a line break inside a field.
printf 'Name,Building,Entrance,Apartment,Role,Credentials\r\n"Smith, ""Ann""",Block B,A,105,administrator,plate:QQ 11\r\n"Two\nLines",Block A,1,1,resident,\r\nFine,Block A,1,99,resident,\r\n' >"$T/quote.csv"
out=$(import "$T/quote.csv")
assert_eq 422 "$(cat "$T/.st")" "quoted file"
assert_eq "3 name|5 apartment" "$(printf '%s' "$out" | jq -r '[.errors[] | "\(.line) \(.field)"] | join("|")')" "lines after a break"
printf 'name,building,entrance,apartment,role,credentials\n"Smith, ""Ann""",Block B,A,105,administrator,plate:QQ 11;card:ab12\n' >"$T/ok.csv"
import "$T/ok.csv" >/dev/null
assert_eq 200 "$(cat "$T/.st")" "quoted import"
assert_eq 'Smith, "Ann"|plate:QQ11;card:AB12' "$(sqlq "SELECT name, (SELECT group_concat(kind||':'||value, ';') FROM credentials WHERE resident_id = r.id) FROM residents r WHERE building = 'Block B'")" "quoted values"

# Export: the same columns; the export imports again into a fresh site's check.
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/sites/quayside/residents.csv" >"$T/export.csv"
assert_eq "name,phone,email,building,entrance,apartment,role,credentials" "$(head -1 "$T/export.csv" | tr -d '\r')" "export header"
assert_eq 10002 "$(grep -c . "$T/export.csv")" "export rows"
grep -q "^R00001,'+447700900001,,Block A,2,2,resident,card:C00001" "$T/export.csv" || fail "export row: $(sed -n 2p "$T/export.csv")"
grep -q '^"Smith, ""Ann""",' "$T/export.csv" || fail "export quoting"
"$VIGIL_BIN/vigild" --db "$DB" audit verify >>"$T/vigild.log" 2>&1 || fail "audit chain does not verify"
note ok
