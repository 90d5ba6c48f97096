#!/bin/sh
# vigil residents and vigil access from a script, with no terminal: add,
# list, search, show, edit and remove residents; grant, suspend, resume and
# revoke rights; the access history names the resident a gate let in; each
# refusal ends with the status vigil(1) documents (64 usage, 65 refused
# value or bad CSV rows, 66 no such resident, 75 a right in the wrong
# state, 77 a dispatcher writing); a dispatcher sees no contact details; a
# name full of escape sequences never reaches the output as one; a CSV
# export imports again (dry run) with 0 errors, and a file with bad rows
# names each by line and imports nothing.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120

# Two sites with the same buildings, so that one's export imports into the other.
write_site() {
	cat >"$T/$1.site" <<EOF
[site]
key = $1
name = Residents $1
timezone = Europe/London

[gateway gw-$1]
name = Gate gateway
secret = $1-gateway-secret-0123456789abcdef

[building A]
entrances = 1-2
apartments = 1-20

[point $1-gate]
label = Main gate
type = gate
gateway = gw-$1
access = yes

[point $1-door]
label = Block A door
type = door
gateway = gw-$1
access = yes

[access-group $1-all]
name = Every entrance
points = $1-gate $1-door
EOF
	site_import "$T/$1.site"
}
write_site ryard
write_site rcopy
printf 'admin-pw-123\n' | user_add ada admin
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login ada admin-pw-123)
DTOKEN=$(login dora dispatch-pw-1)
XDG_STATE_HOME=$T/state
HOME=$T
VIGIL_URL=$URL
VIGIL_TOKEN=$TOKEN
export XDG_STATE_HOME HOME VIGIL_URL VIGIL_TOKEN
ESC=$(printf '\033')
C1=$(printf '\302\233')
ALL=$T/all.out
: >"$ALL"

# Run vigil with no terminal; output in $T/out (also kept in $ALL), status in RC.
v() {
	"$VIGIL_BIN/vigil" "$@" </dev/null >"$T/out" 2>&1
	RC=$?
	cat "$T/out" >>"$ALL"
	OUT=$(cat "$T/out")
}

# Fail unless the last run ended with status $1; $2 says what was run.
expect_rc() {
	[ "$RC" -eq "$1" ] || fail "$2: status $RC, expected $1: $OUT"
}

# The number of lines of the last output.
lines() {
	printf '%s\n' "$OUT" | wc -l | tr -d ' '
}

# --- add ----------------------------------------------------------------
v residents add --site ryard --name 'Jo Bloggs' --unit A/1/12 \
	--phone +447700900123 --email jo@example.org --card 04a1b2 --plate 'AB12 CDE'
expect_rc 0 "residents add"
JO=$(api GET '/api/v1/residents?site=ryard' | jq -r '.residents[] | select(.name == "Jo Bloggs") | .id')
[ -n "$JO" ] || fail "Jo was not added"
assert_eq "resident $JO (Jo Bloggs): added, version 1" "$OUT" "add's output"
assert_eq "04A1B2 AB12CDE" "$(api GET "/api/v1/residents/$JO" | jq -r '[.resident.credentials[].value] | join(" ")')" "credentials as stored"
v residents add --site ryard --name 'Eve' --unit A/2/3 --role management --json
expect_rc 0 "residents add --json"
EVE=$(printf '%s\n' "$OUT" | jq -r .resident.id)
[ "$EVE" -gt "$JO" ] 2>/dev/null || fail "add --json gave no resident: $OUT"
# The server refuses such a name; one in the store anyway must stay inert.
sqlq "UPDATE residents SET name = 'Eve' || char(27) || ']0;PWNED' || char(7) || char(27) || '[2J' || char(155) || '2J' || char(8238) || 'x' WHERE id = $EVE"
v residents add --site ryard --name 'Quiet One' --unit A/2/4 --quiet
expect_rc 0 "residents add --quiet"
assert_eq "" "$OUT" "--quiet output"

# Refused values: 65 with the field named; nothing added.
v residents add --site ryard --name 'Bad Phone' --unit A/1/1 --phone 07700900123
expect_rc 65 "add with a bad phone"
assert_contains "$OUT" "phone" "the refusal names the field"
v residents add --site ryard --name 'No Flat' --unit A/3/1
expect_rc 65 "add to an entrance that does not exist"
assert_contains "$OUT" "unit" "the refusal names the unit"
v residents add --site ryard --name 'Twin Card' --unit A/1/2 --card 04A1B2
expect_rc 75 "add with a card already held"
v residents add --site ryard --name 'No unit form' --unit A-1-2
expect_rc 64 "add with a unit that is not BUILDING/ENTRANCE/APARTMENT"
v residents add --site ryard --name 'No unit'
expect_rc 64 "add without --unit"
assert_eq 3 "$(api GET '/api/v1/residents?site=ryard' | jq '.residents | length')" "residents after the refusals"

# --- list, search, show ---------------------------------------------------
v residents list --site ryard
expect_rc 0 "residents list"
assert_contains "$OUT" "CREDENTIALS" "list heading"
printf '%s\n' "$OUT" | grep -q "^ *$JO  ryard  Jo Bloggs  *A 1/12  *resident  *+447700900123  card:04A1B2 plate:AB12CDE" ||
	fail "list has no row for Jo: $OUT"
assert_contains "$OUT" "PWNED" "the hostile name shown as text"
assert_eq 4 "$(lines)" "list: heading and three residents"
v residents list --search ab12cde
expect_rc 0 "residents list --search by plate"
assert_eq 2 "$(lines)" "search by plate: heading and Jo"
assert_contains "$OUT" "Jo Bloggs" "search by plate"
v residents list --search 'nobody at all'
expect_rc 0 "residents list --search nothing"
assert_eq 1 "$(lines)" "search for nobody: heading only"
v residents list --site ryard --json
expect_rc 0 "residents list --json"
assert_eq 3 "$(lines)" "JSON lines"
assert_eq "$(api GET "/api/v1/residents/$JO" | jq -c .resident)" "$(printf '%s\n' "$OUT" | head -n 1 | jq -c .)" "a JSON line is the API's resident"
v residents show "$JO"
expect_rc 0 "residents show"
assert_contains "$OUT" "jo@example.org" "show: email"
assert_contains "$OUT" "CREDENTIALS" "show: credentials"
assert_contains "$OUT" "AB12CDE" "show: the plate"
v residents show 99999
expect_rc 66 "show of no resident"
v residents show x12
expect_rc 64 "show of an id that is not one"

# --- edit -----------------------------------------------------------------
v residents edit "$JO" --name 'Jo B. Bloggs' --unit A/2/12 --phone '' --app jo-phone-app
expect_rc 0 "residents edit"
assert_contains "$OUT" "resident $JO (Jo B. Bloggs): updated" "edit's output"
assert_eq "Jo B. Bloggs|A 2/12|null|3" "$(api GET "/api/v1/residents/$JO" | jq -r '.resident | "\(.name)|\(.unit.building) \(.unit.entrance)/\(.unit.apartment)|\(.phone)|\(.credentials | length)"')" "after edit"
APPCRED=$(api GET "/api/v1/residents/$JO" | jq -r '.resident.credentials[] | select(.kind == "app") | .id')
v residents edit "$JO" --drop-credential "$APPCRED" --quiet
expect_rc 0 "edit --drop-credential"
assert_eq 2 "$(api GET "/api/v1/residents/$JO" | jq '.resident.credentials | length')" "credentials after the drop"
v residents edit "$JO"
expect_rc 64 "edit with nothing to change"
v residents edit "$JO" --email 'not an email'
expect_rc 65 "edit with a bad email"
assert_contains "$OUT" "email" "the refusal names the email"

# --- rights ---------------------------------------------------------------
v access grant "$JO" --point ryard-gate --days mon-fri --from 07:00 --until 19:00
expect_rc 0 "access grant"
RIGHT=$(printf '%s\n' "$OUT" | sed -n 's/^right \([0-9]*\): active (resident .* at ryard-gate, mon-fri 07:00-19:00)$/\1/p')
[ -n "$RIGHT" ] || fail "grant's output: $OUT"
v access grant "$JO" --group ryard-all --json
expect_rc 0 "access grant --group --json"
assert_eq "ryard-all active" "$(printf '%s\n' "$OUT" | jq -r '"\(.right.group) \(.right.state)"')" "group right"
v access grant "$JO"
expect_rc 64 "grant without --point or --group"
v access grant "$JO" --point ryard-gate --group ryard-all
expect_rc 64 "grant with both"
v access grant "$JO" --point ryard-gate --from 25:00
expect_rc 65 "grant with a bad hour"
assert_contains "$OUT" "from" "the refusal names from"
v access suspend "$RIGHT"
expect_rc 64 "suspend without a reason"
v access suspend "$RIGHT" --reason 'card reported lost'
expect_rc 0 "access suspend"
assert_contains "$OUT" "right $RIGHT: suspended" "suspend's output"
v access resume "$RIGHT" --quiet
expect_rc 0 "access resume"
assert_eq "" "$OUT" "resume --quiet"
assert_eq "active null" "$(api GET "/api/v1/rights/$RIGHT" | jq -r '"\(.right.state) \(.right.reason)"')" "after resume"
v access revoke "$RIGHT" --reason 'moved out'
expect_rc 0 "access revoke"
assert_eq "revoked moved out" "$(api GET "/api/v1/rights/$RIGHT" | jq -r '"\(.right.state) \(.right.reason)"')" "after revoke"
v access resume "$RIGHT"
expect_rc 75 "resume of a revoked right"
v access revoke 99999 --reason x
expect_rc 66 "revoke of no right"
v residents show "$JO"
assert_contains "$OUT" "RIGHTS" "show: rights"
assert_contains "$OUT" "moved out" "show: the revoked right's reason"

# --- the access history ---------------------------------------------------
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -m 10 -u gw-ryard:ryard-gateway-secret-0123456789abcdef \
	-H 'Content-Type: application/json' --data-binary \
	"{\"events\":[{\"id\":\"a1\",\"point\":\"ryard-door\",\"type\":\"access_granted\",\"ts\":\"$NOW\",\"credential\":\"card:04A1B2\"},
	 {\"id\":\"a2\",\"point\":\"ryard-gate\",\"type\":\"access_denied\",\"ts\":\"$NOW\",\"credential\":\"card:FFFF01\",\"value\":\"unknown credential\"}]}" \
	"$URL/api/v1/ingest" >"$T/ingest.out" || fail "ingest failed"
v access list --site ryard
expect_rc 0 "access list"
assert_eq 3 "$(lines)" "access list: heading and two attempts"
printf '%s\n' "$OUT" | grep -q "ryard-door  granted  Jo B. Bloggs ($JO)  card:04A1B2" ||
	fail "access list has no granted row for Jo: $OUT"
v access list --result denied --json
expect_rc 0 "access list --result denied --json"
assert_eq "ryard-gate denied null" "$(printf '%s\n' "$OUT" | jq -r '"\(.point) \(.result) \(.resident)"')" "the stranger's attempt"
v access list --resident "$JO" --point ryard-door
expect_rc 0 "access list --resident --point"
assert_eq 2 "$(lines)" "Jo at the door"
v access list --result maybe
expect_rc 64 "access list --result maybe"

# --- a dispatcher reads names and units, writes nothing ---------------------
VIGIL_TOKEN=$DTOKEN v residents list --site ryard
expect_rc 0 "dispatcher: residents list"
printf '%s\n' "$OUT" | grep -q "^ *$JO  ryard  Jo B. Bloggs  *A 2/12  *resident  *-  *card plate" ||
	fail "dispatcher sees contact or credential values: $OUT"
VIGIL_TOKEN=$DTOKEN v residents add --site ryard --name 'Not Allowed' --unit A/1/1
expect_rc 77 "dispatcher: residents add"
VIGIL_TOKEN=$DTOKEN v access revoke "$RIGHT" --reason no
expect_rc 77 "dispatcher: access revoke"

# --- remove ---------------------------------------------------------------
v residents remove "$EVE"
expect_rc 0 "residents remove"
assert_contains "$OUT" "removed" "remove's output"
v residents remove "$EVE"
expect_rc 66 "remove again"
v residents list --site ryard
assert_eq 3 "$(lines)" "list after the removal"

# --- CSV: export, import it elsewhere (dry run), bad rows -----------------
v residents add --site ryard --name 'Smith, "Ann"' --unit A/1/7 --phone +447700900456 --email ann@example.org --card 0000AA
expect_rc 0 "add a name with a comma and quotes"
v residents export --site ryard -o "$T/ryard.csv"
expect_rc 0 "residents export"
assert_eq "" "$OUT" "export -o prints nothing"
head -n 1 "$T/ryard.csv" | grep -qi '^name,phone,email,building,entrance,apartment,role,credentials' ||
	fail "export header: $(head -n 1 "$T/ryard.csv")"
grep -q "'+447700900456" "$T/ryard.csv" || fail "the phone is not neutralised: $(cat "$T/ryard.csv")"
v residents import "$T/ryard.csv" --site rcopy --dry-run
expect_rc 0 "import --dry-run of the export"
assert_eq "3 rows, 3 would be imported (dry run: nothing changed), 0 errors" "$OUT" "dry run of the export"
assert_eq 0 "$(api GET '/api/v1/residents?site=rcopy' | jq '.residents | length')" "a dry run imports nothing"
v residents import "$T/ryard.csv" --site rcopy
expect_rc 0 "import of the export"
assert_eq "3 rows, 3 imported, 0 errors" "$OUT" "import of the export"
assert_eq "$(api GET '/api/v1/residents?site=ryard' | jq -c '[.residents[] | [.name, .phone, .email, .unit, .role, [.credentials[] | [.kind, .value]]]]')" \
	"$(api GET '/api/v1/residents?site=rcopy' | jq -c '[.residents[] | [.name, .phone, .email, .unit, .role, [.credentials[] | [.kind, .value]]]]')" \
	"the copy holds what was exported"
cat >"$T/bad.csv" <<'EOF'
name,building,entrance,apartment,role,phone
Good Row,A,1,1,resident,+447700900001
Bad Phone,A,1,2,resident,12345
"Two
Lines",A,9,3,resident,
Bad Role,A,1,4,king,
EOF
v residents import "$T/bad.csv" --site rcopy
expect_rc 65 "import of bad rows"
assert_contains "$OUT" "bad.csv:3: " "the bad phone's line"
assert_contains "$OUT" "bad.csv:4: " "the bad unit's line (a record of two lines)"
assert_contains "$OUT" "bad.csv:6: " "the bad role's line"
assert_contains "$OUT" "3 of 4 rows are bad; nothing was imported" "the summary"
case "$OUT" in *"bad.csv:2:"*) fail "the good row is listed as bad: $OUT" ;; esac
assert_eq 3 "$(api GET '/api/v1/residents?site=rcopy' | jq '.residents | length')" "nothing imported from a bad file"
v residents import "$T/none.csv" --site rcopy
expect_rc 66 "import of a file that does not exist"
v residents import "$T/bad.csv"
expect_rc 64 "import without --site"

# --- usage ----------------------------------------------------------------
v residents frob
expect_rc 64 "residents frob"
v access
expect_rc 64 "access alone"
v residents --help
expect_rc 0 "residents --help"
assert_contains "$OUT" "import FILE --site KEY" "residents --help"

# Nothing written anywhere held an escape or a C1 control.
if grep -q "$ESC" "$ALL" || grep -q "$C1" "$ALL"; then
	fail "an escape sequence reached the output"
fi
note "ok"
