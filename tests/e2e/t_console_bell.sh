#!/bin/sh
# Attention: a new P1 (fire on a smoke detector) or P2 (panic) alarm rings
# the terminal bell, a P4 does not; with [bell] enabled = no nothing rings;
# with [bell] notify = osc9 the console also sends an OSC 9 notification
# whose text is sanitized, so a site name and a point label full of escape
# sequences (written into the database, as site import refuses them) cannot
# end it early or start another sequence.  The bytes the console writes are
# captured with tmux pipe-pane.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/bellhouse.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
sqlq "UPDATE sites SET name = 'Bell' || char(27) || ']0;SITEPWN' || char(7) || 'House' WHERE key = 'bellhouse'"
sqlq "UPDATE points SET label = 'Kitchen' || char(27) || '\\' || char(27) || ']9;FAKE' || char(7) || char(27) || '[2J' || char(8238) || 'smoke' WHERE key = 'kitchen-smoke'"
vigild_start
TOKEN=$(login dora dispatch-pw-1)
ESC=$(printf '\033')
BEL=$(printf '\007')

# Send one event of type $2 at point $1 (event id $3); fail unless it raised an alarm.
ingest() {
	_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	_a=$(curl -s -m 10 -u gw-bell:bellhouse-gateway-secret-0123456789 --data-binary \
		"{\"events\":[{\"id\":\"$3\",\"point\":\"$1\",\"type\":\"$2\",\"ts\":\"$_now\"}]}" \
		"$URL/api/v1/ingest" | jq -r '.results[0].alarm')
	case "$_a" in ''|null|*[!0-9]*) fail "event $3 ($1 $2) raised no alarm: \"$_a\"" ;; esac
}

# How many BEL bytes console $1 wrote.
bells() {
	LC_ALL=C tr -cd "$BEL" <"$T/$1.out" | wc -c | tr -d ' '
}

# True once console $1 wrote more than $2 BEL bytes.
bells_over() {
	[ "$(bells "$1")" -gt "$2" ]
}

# How many OSC 9 sequences console $1 started.
osc9s() {
	LC_ALL=C grep -o "$ESC]9;" "$T/$1.out" | wc -l | tr -d ' '
}

# True once console osc started an OSC 9 sequence.
osc9_started() {
	[ "$(osc9s osc)" -ge 1 ]
}

# Start console $1 with config file text $2 (may be empty), its output captured.
console() {
	mkdir -p "$T/$1/config/vigil"
	[ -n "$2" ] && printf '%s\n' "$2" >"$T/$1/config/vigil/config"
	: >"$T/$1.out"
	tui_start "$1" 100 30
	tui_tmux pipe-pane -o -t "$1" "cat >>'$T/$1.out'" || fail "pipe-pane $1"
	tui_wait "$1" 15 'LIVE'
}

console ring ""
console quiet "[bell]
enabled = no"
console osc "[bell]
notify = osc9
repeat = 0"
for c in ring quiet osc; do
	tui_wait $c 5 'no open alarms'
done

note "a P4 does not ring"
ingest back-door forced e1
for c in ring quiet osc; do
	tui_wait $c 10 'P4 .*Back door .*forced'
done
sleep 2
for c in ring quiet osc; do
	assert_eq 0 "$(bells $c)" "BELs from $c after a P4"
	assert_eq 0 "$(osc9s $c)" "OSC 9 from $c after a P4"
done

note "a P1 fire rings"
ingest kitchen-smoke fire e2
for c in ring quiet osc; do
	tui_wait $c 10 'P1 .*Kitchen.*fire'
done
wait_until 10 bells_over ring 0 || fail "no BEL after a P1 fire"
wait_until 10 bells_over osc 0 || fail "no BEL with notify = osc9 after a P1 fire"
wait_until 10 osc9_started || fail "no OSC 9 notification after a P1 fire"
sleep 1
assert_eq 1 "$(osc9s osc)" "OSC 9 sequences started by one fire (a label must not start one)"

# The notification: one OSC 9 ended by ST, printable ASCII only inside.
payload=$(LC_ALL=C sed -n "s/.*$ESC]9;\\([^$ESC$BEL]*\\)$ESC\\\\.*/\\1/p" "$T/osc.out")
[ -n "$payload" ] ||
	fail "no well-formed OSC 9 (ESC ] 9 ; text ESC \\): $(LC_ALL=C grep -a -o "$ESC]9;.\{0,200\}" "$T/osc.out" | od -c | head -20)"
note "OSC 9 text: $payload"
printf '%s' "$payload" | LC_ALL=C grep -q '[^ -~]' &&
	fail "the OSC 9 text holds bytes that are not printable ASCII: $(printf '%s' "$payload" | od -c)"
assert_contains "$payload" "P1 fire" "the OSC 9 text"
assert_contains "$payload" "SITEPWN" "the site name in the OSC 9 text, inert"
assert_contains "$payload" "FAKE" "the point label in the OSC 9 text, inert"
assert_contains "$payload" "smoke" "the end of the point label in the OSC 9 text"
# The pane titles were not changed by the names either.
for c in ring quiet osc; do
	case "$(tui_tmux display-message -p -t $c '#{pane_title}')" in
	*PWN*|*FAKE*) fail "the pane title of $c was changed" ;;
	esac
done

note "a P2 panic rings"
before=$(bells ring)
before_osc=$(bells osc)
ingest desk-panic panic e3
tui_wait ring 10 'P2 .*Reception panic button'
wait_until 10 bells_over ring "$before" || fail "no BEL after a P2 panic"
wait_until 10 bells_over osc "$before_osc" || fail "no BEL with notify = osc9 after a P2 panic"

note "enabled = no rings for nothing"
tui_wait quiet 10 'P2 .*Reception panic button'
sleep 2
assert_eq 0 "$(bells quiet)" "BELs with [bell] enabled = no"
assert_eq 0 "$(osc9s quiet)" "OSC 9 with [bell] enabled = no"

for c in ring quiet osc; do
	tui_keys $c q
	tui_wait $c 5 'vigil exited 0'
done
vigild_stop
