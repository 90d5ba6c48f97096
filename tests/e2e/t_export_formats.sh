#!/bin/sh
# vigil export of each kind in each format, with no terminal: the JSON lines
# are the rows the REST API gives, the JSON file holds the same lines, the
# CSV file parses back (python3's csv) to the same values with every text
# cell inert and formulas neutralised; a hostile note, event value and
# credential (formula, quotes, commas, newline, escape sequences, C1) stay
# data, and no output holds an escape byte.  --tz, --since/--until and
# --after shape what is exported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/export_lib.sh"
setup
test_timeout 120
export_setup
export_data

for kind in audit alarms events positions access-history; do
	for fmt in csv jsonl json; do
		vx export "$kind" --format "$fmt" -o "$T/$kind.$fmt"
		expect_rc 0 "export $kind --format $fmt"
		assert_eq "" "$OUT" "export $kind --format $fmt says nothing"
		no_escapes "$T/$kind.$fmt" "export $kind --format $fmt"
	done
	# The JSON file is the JSON lines in an array; every line is an object.
	jq -c '.[]' "$T/$kind.json" >"$T/$kind.json.lines" || fail "$kind.json is not JSON"
	jq -c . "$T/$kind.jsonl" >"$T/$kind.jsonl.lines" || fail "$kind.jsonl is not JSON lines"
	cmp -s "$T/$kind.json.lines" "$T/$kind.jsonl.lines" ||
		fail "$kind: the JSON file and the JSON lines differ"
	python3 "$VIGIL_TOP/tests/e2e/export_check.py" "$kind" "$T/$kind.csv" \
		"$T/$kind.jsonl" >"$T/check.out" 2>&1 ||
		fail "$kind: CSV and JSON lines differ: $(cat "$T/check.out")"
	note "$kind: $(cat "$T/check.out")"
done

# The rows are the API's.
api GET "/api/v1/audit?limit=10000" | jq -S '.entries' >"$T/api.audit"
jq -s -S '[.[] | select(.seq)]' "$T/audit.jsonl" >"$T/exp.audit"
cmp -s "$T/api.audit" "$T/exp.audit" || fail "the audit export is not what /api/v1/audit gives"
api GET "/api/v1/alarms?state=all&limit=10000" | jq -S '.alarms | sort_by(.id)' >"$T/api.alarms"
jq -s -S '.' "$T/alarms.jsonl" >"$T/exp.alarms"
cmp -s "$T/api.alarms" "$T/exp.alarms" || fail "the alarms export is not what /api/v1/alarms gives"
assert_eq 3 "$(jq -s 'length' "$T/alarms.jsonl")" "alarms exported"
# Each alarm's events as the alarm's page shows them.
for id in $(jq -r '.id' "$T/alarms.jsonl"); do
	api GET "/api/v1/alarms/$id" | jq -S -c '.events[]' >"$T/api.ev"
	jq -S -c "select(.alarm == $id) | {id, gw_event_id, type, value, credential, sensor_ts, received}" \
		"$T/events.jsonl" >"$T/exp.ev"
	cmp -s "$T/api.ev" "$T/exp.ev" || fail "alarm $id: exported events differ from the API's"
done
assert_eq 5 "$(jq -s 'length' "$T/events.jsonl")" "events exported"
# The hostile value is data, byte for byte, in the JSON lines.
HOSTILE=$(printf '{"v":"%s"}' "$HOSTILE_JSON" | jq -r .v)
assert_eq "$HOSTILE" "$(jq -r 'select(.gw_event_id == "e1") | .value' "$T/events.jsonl")" "hostile value"
assert_eq "$HOSTILE" "$(jq -r 'select(.id == '"$A1"') | .resolution_note' "$T/alarms.jsonl")" "hostile closing note"
# ... and in CSV it is neither a formula nor an escape sequence.
python3 - "$T/events.csv" <<'PY' || fail "the hostile CSV cell"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8', newline='')))
v = [r for r in rows if r['gw_event_id'] == 'e1'][0]['value']
assert v.startswith("'=HYPERLINK(\"http://x.example/\""), v
assert '\x1b' not in v and '\u241b]0;PWNED' in v and '<U+009B>31m' in v, v
assert 'a,b\nline2' in v, v
neg = [r for r in rows if r['gw_event_id'] == 'e2'][0]['value']
assert neg == "'-12.5 litres", neg
PY
# Access history: both gate events, the credential kept, the formula neutralised.
assert_eq "granted denied" "$(jq -r '.result' "$T/access-history.jsonl" | tr '\n' ' ' | sed 's/ $//')" "access results"
assert_eq "@card-7" "$(jq -r 'select(.result == "granted") | .credential' "$T/access-history.jsonl")" "credential"
grep -q "'@card-7" "$T/access-history.csv" || fail "a credential starting with @ is not neutralised in CSV"
# Positions as the device sent them.
assert_eq "T1 53.79512 -1.54103 8.5" "$(jq -r '"\(.guard) \(.lat) \(.lon) \(.accuracy)"' "$T/positions.jsonl")" "position"

# --tz: times in the zone with its offset (Europe/London: +00:00 or +01:00).
vx export events --format jsonl --tz Europe/London -o "$T/tz.jsonl"
expect_rc 0 "export --tz"
jq -r '.received' "$T/tz.jsonl" | grep -qv '^[0-9-]*T[0-9:.]*+0[01]:00$' &&
	fail "--tz: times not in Europe/London: $(jq -r .received "$T/tz.jsonl" | head -1)"
vx export events --format csv --tz Europe/London -o "$T/tz.csv"
expect_rc 0 "export --tz csv"
grep -q '+0[01]:00,' "$T/tz.csv" || fail "--tz: CSV times not in the zone"
vx export events --tz Mars/Olympus
expect_rc 64 "export --tz with no such zone"

# --since and --until: nothing in the future, everything in the last day.
vx export events --format jsonl --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" -o "$T/none.jsonl"
expect_rc 0 "export --since the future"
assert_eq 0 "$(wc -l <"$T/none.jsonl" | tr -d ' ')" "rows since an hour ahead"
vx export events --format jsonl --since -24h --until now -o "$T/day.jsonl"
expect_rc 0 "export --since -24h"
assert_eq 5 "$(wc -l <"$T/day.jsonl" | tr -d ' ')" "rows of the last day"
vx export events --format jsonl --since yesterday -o "$T/y.jsonl"
expect_rc 0 "export --since yesterday"
assert_eq 5 "$(wc -l <"$T/y.jsonl" | tr -d ' ')" "rows since yesterday"
vx export events --since "last tuesday"
expect_rc 64 "export --since with a bad time"
assert_contains "$OUT" "--since" "the message names the option"
no_escapes "$T/out" "usage message"

# --site: one site's rows.
vx export alarms --format jsonl --site harbour -o "$T/harbour.jsonl"
expect_rc 0 "export --site harbour"
assert_eq "harbour" "$(jq -r '.site' "$T/harbour.jsonl" | sort -u)" "alarms of harbour"

# --after continues an export into the same file.
head -n 3 "$T/events.jsonl" >"$T/cont.jsonl"
LAST=$(tail -n 1 "$T/cont.jsonl" | jq -r .id)
vx export events --format jsonl --after "$LAST" -o "$T/cont.jsonl"
expect_rc 0 "export --after"
cmp -s "$T/cont.jsonl" "$T/events.jsonl" || fail "--after did not continue the file where it stopped"
# Records end with CR LF; a newline inside a cell is a lone LF.
python3 -c 'import sys; d = open(sys.argv[1], "rb").read().split(b"\r\n"); open(sys.argv[2], "wb").write(b"\r\n".join(d[:3]) + b"\r\n")' \
	"$T/events.csv" "$T/cont.csv"
LAST=$(jq -r .id "$T/events.jsonl" | sed -n 2p)
vx export events --format csv --after "$LAST" -o "$T/cont.csv"
expect_rc 0 "export --after to CSV"
cmp -s "$T/cont.csv" "$T/events.csv" || fail "--after did not continue the CSV file (no second header)"

# To standard output, JSON lines stay ASCII.
vx export events --format jsonl
expect_rc 0 "export to stdout"
printf '%s\n' "$OUT" | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII bytes in JSON lines on stdout"
no_escapes "$T/out" "export to stdout"
exit 0
