#!/bin/sh
# The console's "/" filter over alarms of two sites, several priorities and
# types, as an admin who sees both sites: site:, p:N-M, type: and free text
# each leave only the matching rows and the counts line says how many are
# shown; an empty filter shows everything again; a malformed one is refused
# with a message and the filter in force stays.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
printf 'admin-pw-12345\n' | user_add ada admin
vigild_start
TOKEN=$(login ada admin-pw-12345)

# Send one event through ingest as gateway $1 (secret $2): event id $3 at
# point $4 of type $5; fail unless it raised an alarm.
ingest() {
	_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	_a=$(curl -s -m 10 -u "$1:$2" --data-binary \
		"{\"events\":[{\"id\":\"$3\",\"point\":\"$4\",\"type\":\"$5\",\"ts\":\"$_now\"}]}" \
		"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
	case "$_a" in ''|null|*[!0-9]*) fail "event $3 ($4 $5) raised no alarm: \"$_a\"" ;; esac
}
GWA="gw-test-a test-gateway-a-secret-0123456789"
GWB="gw-test-b test-gateway-b-secret-0123456789"
GWH="gw-harbour harbour-gateway-secret-0123456789abcdef"

# The queue rows session c1 shows (the counts line is not one: it names no site).
rows() {
	tui_screen c1 | grep -E '[ *]P[0-9] +[0-9]+[smhd][0-9]* .* (testyard|harbour) '
}

# How many queue rows are shown.
row_count() {
	rows | wc -l | tr -d ' '
}

# True when exactly $1 rows are shown.
rows_are() {
	[ "$(row_count)" -eq "$1" ]
}

# Type $1 at the "/" prompt and accept it.
filter() {
	tui_keys c1 /
	tui_wait c1 5 '^/'
	[ -n "$1" ] && tui_keys c1 -l "$1"
	tui_keys c1 Enter
}

# Wait for exactly $1 rows; fail showing the screen with $2 otherwise.
expect_rows() {
	wait_until 5 rows_are "$1" ||
		fail "$2: expected $1 rows, the screen shows $(row_count):
$(tui_screen c1)"
}

tui_start c1 120 40
tui_wait c1 15 'LIVE'
tui_wait c1 5 'no open alarms'
# testyard: P3 water_leak, P4 forced, P4 tamper, P2 panic, P6 fault;
# harbour: P4 forced, P3 water_leak, P5 held_open.
ingest $GWA f1 a-water water_leak
ingest $GWA f2 a-door forced
ingest $GWA f3 a-motion tamper
ingest $GWB f4 b-gate panic
ingest $GWB f5 b-equipment fault
ingest $GWH f6 h-door forced
ingest $GWH f7 h-door water_leak
ingest $GWH f8 h-door held_open
tui_wait c1 10 'held_open'
expect_rows 8 "everything, before any filter"
tui_match c1 'showing' && fail "a count of shown rows without a filter: $(tui_screen c1)"

note "site:harbour"
filter 'site:harbour'
tui_wait c1 5 'showing 3: /site:harbour'
expect_rows 3 "site:harbour"
rows | grep -q testyard && fail "site:harbour shows testyard rows: $(rows)"
# The counts above the queue still count every open alarm.
tui_match c1 'new 8 ' || fail "the counts changed with the filter: $(tui_screen c1)"

note "a malformed filter keeps the one in force"
filter 'p:0'
tui_wait c1 5 'filter: "p:0": a priority is'
tui_wait c1 5 'showing 3: /site:harbour'
expect_rows 3 "site:harbour after the refused p:0"

note "p:1-3"
filter 'p:1-3'
tui_wait c1 5 'showing 3: /p:1-3'
expect_rows 3 "p:1-3"
rows | grep -Eq '[ *]P[4-9] +[0-9]+[smhd]' && fail "p:1-3 shows other priorities: $(rows)"
rows | grep -q 'panic' || fail "p:1-3 lost the P2 panic: $(rows)"

note "type:water_leak"
filter 'type:water_leak'
tui_wait c1 5 'showing 2: /type:water_leak'
expect_rows 2 "type:water_leak"
[ "$(rows | grep -c water_leak)" -eq 2 ] || fail "type:water_leak shows: $(rows)"

note "a site and a priority together"
filter 'site:testyard p:4'
tui_wait c1 5 'showing 2: /site:testyard p:4'
expect_rows 2 "site:testyard p:4"
rows | grep -q 'A block door' || fail "site:testyard p:4 lost the door: $(rows)"
rows | grep -q 'A block corridor motion' || fail "site:testyard p:4 lost the tamper: $(rows)"

note "free text, any case"
filter 'PUMP'
tui_wait c1 5 'showing 1: /PUMP'
expect_rows 1 "PUMP"
rows | grep -q 'B block pump .*fault' || fail "PUMP shows: $(rows)"
filter 'harbour door'
tui_wait c1 5 'showing 3: /harbour door'
expect_rows 3 "harbour door"

note "nothing matches"
filter 'site:nowhere'
tui_wait c1 5 'showing 0: /site:nowhere'
tui_wait c1 5 'no open alarm matches the filter'

note "an empty filter clears it"
filter ''
expect_rows 8 "after the empty filter"
tui_match c1 'showing' && fail "the filter is still shown: $(tui_screen c1)"

# A new alarm under a filter shows when it matches, and is counted.
filter 'site:harbour'
tui_wait c1 5 'showing 3: /site:harbour'
ingest $GWH f9 h-door tamper
tui_wait c1 5 'showing 4: /site:harbour'
expect_rows 4 "site:harbour after a new harbour alarm"
ingest $GWA f10 a-door tamper
tui_wait c1 5 'new 10 '
expect_rows 4 "site:harbour after a new testyard alarm"

tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
vigild_stop
