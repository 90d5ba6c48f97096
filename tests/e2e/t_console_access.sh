#!/bin/sh
# Residents and access rights from the console to the gate and back.
#
# A manager opens the residents list (R), adds a resident with the form:
# a phone not in E.164 form and an email without a dot in its domain are
# marked beside their fields as they are left, and nothing is sent while
# they are wrong; an apartment the site lacks is refused by the server,
# whose message shows beside the apartment.  On the resident's page a
# right is granted with the grant form (the gate picked from the site's
# access points); vigil-sim plays the gate, which admits the resident's
# card at its next sync, and the granted attempt shows in the console's
# access history with the resident's name.  The right is revoked on the
# page (a reason, then "yes"); the next attempt is denied and shown as
# denied at the top of the history.  The dashboard signals the denials,
# and the alarm repeated denials raise is in the queue.  A dispatcher sees
# the residents but may not add one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 240
SIM=$VIGIL_BIN/vigil-sim
SYNC=2        # --access-sync: seconds between the gate's fetches
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

[access-group all-gates]
name = All gates
points = yard-gate
EOF
site_import "$T/gate.site"
printf 'manager-pw-123\n' | user_add mia manager --site gateyard
printf 'admin-pw-123\n' | user_add ada admin
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
ADA=$(login ada admin-pw-123)
TOKEN=$(login mia manager-pw-123)
MIA=$TOKEN

# The number of residents of the site, as the administrator sees them.
residents() {
	TOKEN=$ADA api GET "/api/v1/residents?site=gateyard" | jq '.residents | length'
}

# True while session $1's screen does not match $2.
screen_lacks() {
	! tui_match "$1" "$2"
}

# The first row under the access history's heading.
history_top() {
	tui_screen c1 | awk 'h { print; exit } /TIME \(UTC\) +RESULT/ { h = 1 }'
}

# True when the history's first row matches $1.
history_top_is() {
	history_top | grep -Eq "$1"
}

tui_start c1 120 40
tui_wait c1 15 'LIVE'
tui_wait c1 5 'mia \(manager\)'

note "R opens the residents list; a opens the form"
tui_keys c1 R
tui_wait c1 10 'Residents .*\(0\)'
tui_wait c1 5 'no residents'
tui_keys c1 a
tui_wait c1 5 'Add a resident'
tui_wait c1 5 '>site .*Gate Yard'

note "inline validation: a bad phone and email are marked as the field is left"
tui_keys c1 Tab
tui_keys c1 -l 'Jo Bloggs'
tui_keys c1 Tab
tui_keys c1 -l '0770 900123'
tui_keys c1 Tab
tui_wait c1 5 'phone +0770 900123 +not in E\.164 form'
tui_keys c1 -l 'jo@example'
tui_keys c1 Tab
tui_wait c1 5 'email +jo@example +the domain needs a dot'
# Saving now sends nothing and names the first wrong field.
tui_keys c1 F2
tui_wait c1 5 'phone: not in E\.164 form .*nothing was sent'
tui_wait c1 5 '>phone'
assert_eq 0 "$(residents)" "residents after a save with a bad phone"
tui_keys c1 C-u
tui_keys c1 -l '+447700900123'
tui_keys c1 Tab
wait_until 5 screen_lacks c1 'not in E' || fail "the fixed phone is still marked: $(tui_screen c1)"
tui_keys c1 C-u
tui_keys c1 -l 'jo@example.org'
tui_keys c1 Tab
tui_keys c1 -l 'A'
tui_keys c1 Tab
tui_keys c1 -l '1'
tui_keys c1 Tab
# An apartment the site does not have: only the server knows.
tui_keys c1 -l '99'
tui_keys c1 Tab
tui_keys c1 Tab
tui_keys c1 -l 'card:04A1B2'
tui_screen c1 | grep -q 'not in E.164' && fail "the fixed phone is still marked: $(tui_screen c1)"
tui_screen c1 | grep -q 'needs a dot' && fail "the fixed email is still marked: $(tui_screen c1)"
tui_keys c1 Enter
tui_wait c1 10 'apartment +99 +.*apartment'
tui_wait c1 5 'the server refused the apartment'
assert_eq 0 "$(residents)" "residents after the server refused the apartment"
tui_keys c1 C-u
tui_keys c1 -l '4'
tui_keys c1 F2

note "the new resident's page"
tui_wait c1 10 'Resident [0-9]+ +e edit'
tui_wait c1 5 'name +Jo Bloggs'
tui_wait c1 5 'unit +A 1/4'
tui_wait c1 5 'phone +\+447700900123'
tui_wait c1 5 'card 04A1B2'
JO=$(TOKEN=$ADA api GET "/api/v1/residents?site=gateyard" | jq -r '.residents[0].id')
assert_eq "Jo Bloggs +447700900123 jo@example.org A/1/4 resident card:04A1B2" \
	"$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r '.resident | "\(.name) \(.phone) \(.email) \(.unit.building)/\(.unit.entrance)/\(.unit.apartment) \(.role) \(.credentials[0].kind):\(.credentials[0].value)"')" \
	"the resident the form added"

note "the gate refuses the card while there is no right"
spawn "$SIM" --url "$URL" --site "$T/gate.site" --seed 7 --run-id gate \
	--access-sync "$SYNC" --arrive "yard-gate:card:04A1B2@0/$EVERY" \
	>"$T/sim.out" 2>"$T/sim.err"
SIM_PID=$LAST_PID
# The newest attempt of Jo's: "ID RESULT", or nothing.
newest() {
	TOKEN=$ADA api GET "/api/v1/access?resident=$JO&limit=1" |
		jq -r '.events[0] // empty | "\(.id) \(.result)"'
}
denied_seen() {
	case "$(newest)" in *" denied") return 0 ;; esac
	return 1
}
wait_until 30 denied_seen || fail "no denied attempt before the grant: $(newest)"

note "g: the grant form, the gate picked from the site's access points"
tui_keys c1 g
tui_wait c1 5 'Grant resident [0-9]+ \(Jo Bloggs\) a right at gateyard'
tui_wait c1 10 'point or group \* +< yard-gate +Yard gate'
tui_wait c1 5 'days \* +all'
tui_keys c1 F2
tui_wait c1 10 "right [0-9]+ granted to resident $JO"
tui_wait c1 10 '[0-9]+ +yard-gate +all 00:00-24:00 +active'
RIGHT=$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r '.rights[0].id')
assert_eq "yard-gate all 00:00 24:00 active" \
	"$(TOKEN=$ADA api GET "/api/v1/rights/$RIGHT" | jq -r '.right | "\(.point) \(.days) \(.from) \(.until) \(.state)"')" \
	"the right the form granted"

note "the gate admits Jo; the history shows it with Jo's name"
tui_keys c1 h
tui_wait c1 10 "Access history: resident $JO Jo Bloggs"
tui_wait c1 60 'granted +gateyard +yard-gate +Jo Bloggs +card'

note "x revokes the right with a reason and a yes"
tui_keys c1 q
tui_wait c1 5 'Resident [0-9]+ +e edit'
tui_keys c1 x
tui_wait c1 5 "revoke right $RIGHT \\(active\\): reason:"
tui_keys c1 -l 'moved out'
tui_keys c1 Enter
tui_wait c1 5 "revoke right $RIGHT\\? type yes:"
tui_keys c1 -l 'yes'
tui_keys c1 Enter
right_revoked() {
	[ "$(TOKEN=$ADA api GET "/api/v1/rights/$RIGHT" | jq -r .right.state)" = revoked ]
}
wait_until 10 right_revoked || fail "the right was not revoked: $(TOKEN=$ADA api GET "/api/v1/rights/$RIGHT")"
tui_wait c1 10 'yard-gate +all 00:00-24:00 +revoked .*moved out'
REVOKED_AT=$(sqlq "SELECT coalesce(max(id), 0) FROM events")

note "the next attempt is denied and shown as denied"
tui_keys c1 h
tui_wait c1 10 "Access history: resident $JO"
wait_until $((SYNC + EVERY + 30)) history_top_is 'denied +gateyard +yard-gate +Jo Bloggs' ||
	fail "the history's newest row is not a denial: $(tui_screen c1)"
# Once refused, refused for good: no granted attempt after the first denial since the revoke.
FIRST_DENIED=$(sqlq "SELECT min(id) FROM events WHERE id > $REVOKED_AT AND type = 'access_denied'")
[ -n "$FIRST_DENIED" ] || fail "no denied event since the revoke"
assert_eq 0 "$(sqlq "SELECT count(*) FROM events WHERE id > $FIRST_DENIED AND type = 'access_granted'")" \
	"granted attempts after the first refusal"

note "the dashboard signals the denials; repeated denials raised an alarm"
tui_keys c1 q
tui_keys c1 q
tui_keys c1 q
tui_wait c1 10 'SITE +POINT +TYPE'
tui_wait c1 15 'denied at yard-gate [0-9a-z]+ ago, [0-9]+\+? in 10 min'
tui_wait c1 15 'gateyard +Yard gate +access_denied'
tui_keys c1 H
tui_wait c1 10 'Access history: denied attempts'
wait_until 10 history_top_is 'denied +gateyard +yard-gate' ||
	fail "H: the newest row is not a denial: $(tui_screen c1)"
tui_screen c1 | grep -E '^ [0-9-]+ [0-9:]+ +granted' && fail "H shows granted attempts: $(tui_screen c1)"
tui_keys c1 q
tui_wait c1 5 'SITE +POINT +TYPE'

note ":access filters by result"
tui_keys c1 :
tui_wait c1 5 '^:'
tui_keys c1 -l 'access result=granted point=yard-gate'
tui_keys c1 Enter
tui_wait c1 10 'Access history: result=granted point=yard-gate'
tui_wait c1 10 'granted +gateyard +yard-gate +Jo Bloggs'
tui_screen c1 | grep -E '^ [0-9-]+ [0-9:]+ +denied' && fail ":access result=granted shows denials: $(tui_screen c1)"
tui_keys c1 q
tui_keys c1 :
tui_wait c1 5 '^:'
tui_keys c1 -l 'access since=soon'
tui_keys c1 Enter
tui_wait c1 5 'since: "soon" is not a time'

note "e edits the resident; a change made meanwhile is not overwritten"
tui_wait c1 5 'SITE +POINT +TYPE'
tui_keys c1 R
tui_wait c1 10 'Jo Bloggs +A 1/4 +gateyard +resident +card:04A1B2'
tui_keys c1 Enter
tui_wait c1 10 'name +Jo Bloggs'
tui_keys c1 e
tui_wait c1 5 "Edit resident $JO \\(gateyard\\)"
tui_wait c1 5 '>name \* +Jo Bloggs'
tui_wait c1 5 'email +jo@example\.org'
tui_keys c1 Down Down C-u
tui_keys c1 -l 'jo.bloggs@example.org'
V=$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq .resident.version)
TOKEN=$ADA api PATCH "/api/v1/residents/$JO" "{\"version\":$V,\"name\":\"Joanna Bloggs\"}" >/dev/null
assert_eq 200 "$(last_status)" "the change made meanwhile"
tui_keys c1 F2
tui_wait c1 10 "nothing was saved: resident $JO was changed meanwhile \\(at [0-9:]+ UTC, now version [0-9]+\\)"
tui_wait c1 5 'name \* +Joanna Bloggs'
tui_wait c1 5 'email +jo@example\.org'
assert_eq "Joanna Bloggs jo@example.org" \
	"$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r '.resident | "\(.name) \(.email)"')" \
	"the resident after the stale save"
# The cursor stayed on the email.
tui_wait c1 5 '>email +jo@example\.org'
tui_keys c1 C-u
tui_keys c1 -l 'jo.bloggs@example.org'
tui_keys c1 F2
tui_wait c1 10 "resident $JO saved"
tui_wait c1 10 'email +jo\.bloggs@example\.org'
tui_wait c1 5 'name +Joanna Bloggs'
assert_eq "Joanna Bloggs jo.bloggs@example.org" \
	"$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r '.resident | "\(.name) \(.email)"')" \
	"the resident after the edit"

note "D removes the resident after a yes"
tui_keys c1 D
tui_wait c1 5 "remove resident $JO \\(Joanna Bloggs\\)\\? type yes:"
tui_keys c1 -l 'no'
tui_keys c1 Enter
tui_wait c1 5 'nothing changed'
assert_eq null "$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r .resident.removed)" "removed after no"
tui_keys c1 D
tui_wait c1 5 "remove resident $JO .*type yes:"
tui_keys c1 -l 'yes'
tui_keys c1 Enter
tui_wait c1 10 'removed +[0-9]{4}-'
[ "$(TOKEN=$ADA api GET "/api/v1/residents/$JO" | jq -r .resident.removed)" != null ] ||
	fail "the resident was not removed"
tui_keys c1 q
tui_keys c1 q
tui_wait c1 5 'SITE +POINT +TYPE'

note "a dispatcher sees the residents but may not add one"
TOKEN=$(login dora dispatch-pw-1)
tui_start d1 120 40
tui_wait d1 15 'LIVE'
tui_keys d1 R
tui_wait d1 10 'Residents'
tui_keys d1 /
tui_keys d1 -l 'bloggs'
tui_keys d1 Enter
tui_wait d1 10 'Residents matching "bloggs"  \(0\)'
tui_keys d1 a
tui_wait d1 5 'dispatchers see residents but may not change them'
tui_keys d1 q
tui_keys d1 q
tui_wait d1 5 'vigil exited 0'

tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
kill -TERM "$SIM_PID"
wait_exit "$SIM_PID" 20 || fail "vigil-sim did not stop"
vigild_stop
note "ok"
