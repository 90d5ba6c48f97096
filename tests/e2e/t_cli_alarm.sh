#!/bin/sh
# vigil alarm and vigil guard from a script, with no terminal: list, show,
# ack, assign, note and close change the alarm as the API then shows; a
# conflict, an unknown alarm, a refused value, a refused token, a server
# that is gone and bad usage each end with the status vigil(1) documents;
# a point label, guard name and note full of escape sequences never reach
# the output as escape sequences, in the C locale or in UTF-8.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
sqlq "UPDATE points SET label = 'Lobby' || char(27) || ']0;PWNED' || char(7) || char(27) || '[2J' || char(27) || '[5;31m' || 'Door' || char(8238) || 'reverse' || char(155) || '2J' || CAST(X'C328FF' AS TEXT) || 'end' WHERE key = 'a-door'"
sqlq "UPDATE guards SET name = 'Eve' || char(27) || ']2;OWNED' || char(27) || char(92) || char(8294) || 'x' || char(27) || '[?1049h' WHERE callsign = 'T1'"
vigild_start
TOKEN=$(login dora dispatch-pw-1)
# The CLI reads only the environment: no stored session of the user's.
XDG_STATE_HOME=$T/state
HOME=$T
VIGIL_URL=$URL
VIGIL_TOKEN=$TOKEN
export XDG_STATE_HOME HOME VIGIL_URL VIGIL_TOKEN
ESC=$(printf '\033')
C1=$(printf '\302\233')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ALL=$T/all.out
: >"$ALL"

ingest() {
	curl -s -m 10 -u gw-test-a:test-gateway-a-secret-0123456789 \
		-H 'Content-Type: application/json' --data-binary \
		"{\"events\":[{\"id\":\"$1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
		"$URL/api/v1/ingest" | jq -r '.results[0].alarm'
}

# Run vigil with no terminal, with the settings in $VENV ("NAME=value ...")
# added to its environment; output in $T/out (also kept in $ALL), status in RC.
VENV=
v() {
	# shellcheck disable=SC2086
	env $VENV "$VIGIL_BIN/vigil" "$@" </dev/null >"$T/out" 2>&1
	RC=$?
	cat "$T/out" >>"$ALL"
	OUT=$(cat "$T/out")
}

# Fail unless the last run ended with status $1; $2 says what was run.
expect_rc() {
	[ "$RC" -eq "$1" ] || fail "$2: status $RC, expected $1: $OUT"
}

# The state of alarm $1 as the API has it: "state version guard resolution".
alarm_api() {
	api GET "/api/v1/alarms/$1" |
		jq -r '.alarm | "\(.state) \(.version) \(.guard) \(.resolution)"'
}

ID=$(ingest h1)
[ -n "$ID" ] && [ "$ID" != null ] || fail "no alarm raised"
api POST "/api/v1/alarms/$ID/notes" '{"text":"note\u001b]0;NOTEPWN\u0007\u001b[2Jtail\nsecond line"}' >/dev/null
assert_eq 200 "$(last_status)" "hostile note"

# list: a table with the alarm, its label made inert.
v alarm list
expect_rc 0 "alarm list"
assert_contains "$OUT" "ID" "list heading"
assert_contains "$OUT" "PWNED" "the label's escape shown as text"
printf '%s\n' "$OUT" | grep -q "^ *$ID  4  new  *testyard  " ||
	fail "alarm list has no row for $ID: $OUT"
# The filters go to the server: nothing closed, nothing at priority 1.
v alarm list --state closed
expect_rc 0 "alarm list --state closed"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "closed alarms (heading only)"
v alarm list --priority 1 --site testyard
expect_rc 0 "alarm list --priority 1"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "P1 alarms (heading only)"
# --json: one alarm a line, as the server sent it.
v alarm list --json
expect_rc 0 "alarm list --json"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "JSON lines"
assert_eq "$ID new 1" "$(printf '%s\n' "$OUT" | jq -r '"\(.id) \(.state) \(.version)"')" "JSON line"
assert_eq "$(api GET /api/v1/alarms | jq -c '.alarms[0]')" "$(printf '%s\n' "$OUT" | jq -c .)" "JSON line equals the API's alarm"

# show: every field, the note with its two lines, events and history.
v alarm show "$ID"
expect_rc 0 "alarm show"
assert_contains "$OUT" "point label" "show"
assert_contains "$OUT" "NOTEPWN" "the note's escape shown as text"
assert_contains "$OUT" "
    second line" "the note's second line, indented"
assert_contains "$OUT" "EVENTS" "show's events"
assert_contains "$OUT" "alarm.open" "show's history"
v alarm show "$ID" --json
expect_rc 0 "alarm show --json"
assert_eq "$ID 1 1" "$(printf '%s\n' "$OUT" | jq -r '"\(.alarm.id) \(.notes | length) \(.events | length)"')" "show --json"

# ack, then ack again: a conflict, status 75, with the server's message.
v alarm ack "$ID"
expect_rc 0 "alarm ack"
assert_eq "alarm $ID: acknowledged, version 2" "$OUT" "ack's output"
assert_eq "acknowledged 2 null null" "$(alarm_api "$ID")" "after ack"
v alarm ack "$ID"
expect_rc 75 "alarm ack of an acknowledged alarm"
assert_contains "$OUT" "conflict: alarm $ID is acknowledged" "conflict message"
assert_contains "$OUT" "version 2" "conflict message names the version"
assert_eq "acknowledged 2 null null" "$(alarm_api "$ID")" "after the refused ack"

# assign: a guard that does not exist is a refused value (65); T1 is sent.
v alarm assign "$ID" NOPE
expect_rc 65 "alarm assign to no guard"
assert_contains "$OUT" "NOPE" "the refusal names the guard"
v alarm assign "$ID" T1 --quiet
expect_rc 0 "alarm assign --quiet"
assert_eq "" "$OUT" "--quiet output"
assert_eq "assigned 3 T1 null" "$(alarm_api "$ID")" "after assign"

# note, then close: a bad resolution is refused (65), then it closes.
v alarm note "$ID" G1 on the way
expect_rc 0 "alarm note"
assert_eq "alarm $ID: note added" "$OUT" "note's output"
assert_eq "G1 on the way" "$(api GET "/api/v1/alarms/$ID" | jq -r '.notes[-1].text')" "the note"
v alarm close "$ID" nonsense wind
expect_rc 65 "alarm close with a bad resolution"
v alarm close "$ID" false_alarm wind pushed the door --json
expect_rc 0 "alarm close --json"
assert_eq "closed 4" "$(printf '%s\n' "$OUT" | jq -r '.alarm | "\(.state) \(.version)"')" "close --json"
assert_eq "closed 4 T1 false_alarm" "$(alarm_api "$ID")" "after close"
assert_eq "wind pushed the door" "$(api GET "/api/v1/alarms/$ID" | jq -r '.alarm.resolution_note')" "closing note"
v alarm close "$ID" genuine again
expect_rc 75 "alarm close of a closed alarm"

# guard list: a table and JSON lines; the hostile name is inert.
v guard list
expect_rc 0 "guard list"
assert_contains "$OUT" "CALLSIGN" "guard heading"
assert_contains "$OUT" "OWNED" "the name's escape shown as text"
printf '%s\n' "$OUT" | grep -q '^T2 ' || fail "guard list has no T2: $OUT"
v guard list --json
expect_rc 0 "guard list --json"
assert_eq "T1 T2" "$(printf '%s\n' "$OUT" | jq -r .callsign | sort | tr '\n' ' ' | sed 's/ $//')" "guards in JSON"

# The same, in a UTF-8 locale: still no escape sequence.
ID2=$(ingest h2)
[ "$ID2" != "$ID" ] || fail "no new alarm after the close"
VENV=LC_ALL=C.UTF-8
v alarm list
expect_rc 0 "alarm list in UTF-8"
assert_contains "$OUT" "<U+202E>" "the bidi override made visible"
v alarm show "$ID"
expect_rc 0 "alarm show in UTF-8"
v guard list
expect_rc 0 "guard list in UTF-8"
VENV=

# No such alarm: 66.
v alarm show 99999
expect_rc 66 "alarm show of no alarm"
v alarm ack 99999
expect_rc 66 "alarm ack of no alarm"

# Usage: 64, before any call.
for args in "alarm" "alarm frob" "alarm ack" "alarm ack x" "alarm ack 0" \
    "alarm ack 1 2" "alarm assign 1" "alarm close 1 genuine" "alarm note 1" \
    "alarm list --priority 12" "alarm list --state later" \
    "alarm list --site ../x" "alarm show 1 --state new" "alarm list extra" \
    "alarm --bogus list" "guard" "guard frob" "guard list --bogus"; do
	# shellcheck disable=SC2086
	v $args
	expect_rc 64 "vigil $args"
done
v alarm --help
expect_rc 0 "alarm --help"
assert_contains "$OUT" "75 conflict" "alarm --help gives the exit statuses"

# A token the server does not know: 77.
VENV=VIGIL_TOKEN=0123456789abcdef
v alarm list
expect_rc 77 "alarm list with a bogus token"
v guard list
expect_rc 77 "guard list with a bogus token"
v alarm ack "$ID2"
expect_rc 77 "alarm ack with a bogus token"
VENV=
assert_eq "new 1 null null" "$(alarm_api "$ID2")" "alarm after the refused ack"

# Nothing written anywhere holds an escape or a C1 control.
grep -q "$ESC" "$ALL" && fail "an ESC byte reached the output: $(grep -n "$ESC" "$ALL" | od -c | head -5)"
grep -q "$C1" "$ALL" && fail "a C1 control reached the output"

# No server: 69.
vigild_stop
v alarm list
expect_rc 69 "alarm list with no server"
assert_contains "$OUT" "cannot reach" "no server message"
v alarm ack "$ID2"
expect_rc 69 "alarm ack with no server"
v guard list
expect_rc 69 "guard list with no server"
note "ok"
