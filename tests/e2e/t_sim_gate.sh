#!/bin/sh
# vigil-sim plays a gate as a controller on site does: it fetches its
# gateway's access list (a 304 while nothing changes), decides a scripted
# arrival of a card from the list it holds, and reports the decision; the
# server links each attempt to the resident holding the card.  Without a
# right the card is refused; once a right is granted the gate lets it in;
# once the right is revoked the next attempts are refused again, within
# the gateway's sync interval.  A point that is no access point cannot be
# scripted.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
SIM=$VIGIL_BIN/vigil-sim
SYNC=1        # --access-sync: seconds between the gate's fetches
EVERY=1       # the card is shown this often

cat >"$T/gate.site" <<'EOF'
[site]
key = gateyard
name = Gate Yard
timezone = Europe/London

[gateway gw-gate]
name = Gate gateway
secret = gate-gateway-secret-0123456789abcdef

[building A]
entrances = 1
apartments = 1-10

[point yard-gate]
label = Yard gate
type = gate
gateway = gw-gate
access = yes

[point yard-water]
label = Plant room water
type = water
gateway = gw-gate
EOF
site_import "$T/gate.site"
printf 'admin-pw-123\n' | user_add ada admin
vigild_start
TOKEN=$(login ada admin-pw-123)
XDG_STATE_HOME=$T/state
HOME=$T
VIGIL_URL=$URL
VIGIL_TOKEN=$TOKEN
export XDG_STATE_HOME HOME VIGIL_URL VIGIL_TOKEN

# A point without access = yes cannot be scripted; the run does not start.
"$SIM" --url "$URL" --site "$T/gate.site" --arrive yard-water:card:04A1B2 \
	>"$T/out" 2>"$T/err"
assert_eq 64 "$?" "vigil-sim --arrive at a water sensor"
assert_contains "$(cat "$T/err")" "not an access point" "its message"
"$SIM" --url "$URL" --site "$T/gate.site" --arrive yard-gate:card \
	>"$T/out" 2>"$T/err"
assert_eq 64 "$?" "vigil-sim --arrive without a value"

api POST /api/v1/residents '{"site":"gateyard","name":"Jo Bloggs","unit":{"building":"A","entrance":"1","apartment":"4"},"role":"resident","credentials":[{"kind":"card","value":"04A1B2"}]}' >"$T/jo.json"
assert_eq 201 "$(last_status)" "resident added"
JO=$(jq -r .resident.id "$T/jo.json")

spawn "$SIM" --url "$URL" --site "$T/gate.site" --seed 7 --run-id gate \
	--access-sync "$SYNC" --arrive "yard-gate:card:04A1B2@0/$EVERY" \
	>"$T/sim.out" 2>"$T/sim.err"
SIM_PID=$LAST_PID

# The newest attempt of Jo's: "ID RESULT NAME", or nothing.
newest() {
	api GET "/api/v1/access?resident=$JO&limit=1" |
		jq -r '.events[0] // empty | "\(.id) \(.result) \(.resident.name)"'
}

# True once Jo has an attempt with result $1 newer than event $2.
attempt_after() {
	_n=$(newest)
	[ -n "$_n" ] && [ "${_n%% *}" -gt "$2" ] && case "$_n" in
	*" $1 "*) return 0 ;; esac
	return 1
}

# No right yet: the card is refused, and the attempt is Jo's.
wait_until 20 attempt_after denied 0 || fail "no denied attempt before the grant: $(newest)"
assert_eq "denied Jo Bloggs" "$(newest | cut -d ' ' -f 2-)" "the refused attempt names Jo"
assert_eq "card:04A1B2" "$(api GET "/api/v1/access?resident=$JO&limit=1" | jq -r '.events[0].credential | if startswith("card:") then . else "card:" + . end')" "the credential reported"
LAST=$(newest | cut -d ' ' -f 1)

# Grant: the gate lets Jo in at its next sync.
"$VIGIL_BIN/vigil" access grant "$JO" --point yard-gate --json \
	</dev/null >"$T/grant.json" 2>"$T/grant.err"
RIGHT=$(jq -r .right.id "$T/grant.json")
[ -n "$RIGHT" ] && [ "$RIGHT" != null ] || fail "grant failed: $(cat "$T/grant.err")"
wait_until 20 attempt_after granted "$LAST" || fail "not let in after the grant: $(newest)"
assert_eq "granted Jo Bloggs" "$(newest | cut -d ' ' -f 2-)" "the granted attempt names Jo"
LAST=$(newest | cut -d ' ' -f 1)
# The gate opened for Jo: an open event of the gate followed.
gate_opened() {
	[ "$(sqlq "SELECT count(*) FROM events e JOIN points p ON p.id = e.point_id WHERE p.key = 'yard-gate' AND e.type = 'open'")" -gt 0 ]
}
wait_until 20 gate_opened || fail "the gate never opened"

# Revoke: the next attempts are refused, within the sync interval and the
# card's period (and a margin for the batch to be sent).
"$VIGIL_BIN/vigil" access revoke "$RIGHT" \
	--reason 'moved out' --quiet </dev/null >"$T/revoke.out" 2>&1 ||
	fail "revoke failed: $(cat "$T/revoke.out")"
wait_until $((SYNC + EVERY + 10)) attempt_after denied "$LAST" ||
	fail "still let in after the revoke: $(newest)"
DENIED=$(newest | cut -d ' ' -f 1)
# Once refused, refused for good: the gate holds the new list.
wait_until 20 attempt_after denied "$DENIED" || fail "no further attempt: $(newest)"
assert_eq 0 "$(api GET "/api/v1/access?resident=$JO&result=granted" | jq --argjson d "$DENIED" '[.events[] | select(.id > $d)] | length')" "granted attempts after the first refusal"

# The run ends cleanly; the gate fetched a new list for the grant and for
# the revoke, and was answered 304 in between.
kill -TERM "$SIM_PID"
wait_exit "$SIM_PID" 20 || fail "vigil-sim did not stop"
assert_eq 0 "$WAIT_STATUS" "vigil-sim's status: $(tail -n 3 "$T/sim.err")"
LINE=$(grep '^access gw-gate ' "$T/sim.out") || fail "no access line: $(cat "$T/sim.out")"
set -- $LINE
[ "$4" -ge 3 ] || fail "lists fetched: $LINE"
[ "$6" -ge 1 ] || fail "no 304 answers: $LINE"
[ "$8" -ge 1 ] && [ "${10}" -ge 2 ] || fail "granted and denied counts: $LINE"
note "ok"
