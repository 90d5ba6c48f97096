#!/bin/sh
# A point label and a guard name full of escape sequences, bidi overrides
# and bytes that are not UTF-8 (written straight into the database, since
# site import refuses them): the console shows them inert; the pane's title
# is unchanged and the screen is not cleared or recoloured by them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
sqlq "UPDATE points SET label = 'Lobby' || char(27) || ']0;PWNED' || char(7) || char(27) || '[2J' || char(27) || '[5;31m' || 'Door' || char(8238) || 'reverse' || char(155) || '2J' || CAST(X'C328FF' AS TEXT) || 'end' WHERE key = 'a-door'"
sqlq "UPDATE guards SET name = 'Eve' || char(27) || ']2;OWNED' || char(27) || char(92) || char(8294) || 'x' || char(27) || '[?1049h' WHERE callsign = 'T1'"
vigild_start
TOKEN=$(login dora dispatch-pw-1)
tui_start c1 120 30
tui_wait c1 15 'LIVE'
before=$(tui_tmux display-message -p -t c1 '#{pane_title}')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"h1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" >/dev/null
tui_wait c1 10 'Lobby'
tui_wait c1 5 'Eve'
screen=$(tui_screen c1)
assert_contains "$screen" 'PWNED' "the label's escape shown as text"
assert_contains "$screen" '<U+202E>' "the bidi override made visible"
assert_contains "$screen" 'LIVE' "the title line survived"
assert_contains "$screen" 'GUARDS' "the screen was not cleared"
after=$(tui_tmux display-message -p -t c1 '#{pane_title}')
assert_eq "$before" "$after" "the pane title"
case "$after" in *PWNED*|*OWNED*) fail "the pane title was changed to $after" ;; esac
# Still in the main screen, not the alternate one the name asked for, and
# the console still answers keys.
tui_keys c1 '?'
tui_wait c1 5 'acknowledge the alarm'
tui_keys c1 q
# The detail shows a note with escapes inert too.
ID=$(sqlq "SELECT id FROM alarms LIMIT 1")
api POST "/api/v1/alarms/$ID/notes" "{\"text\":\"note\u001b]0;NOTEPWN\u0007\u001b[2Jtail\"}" >/dev/null
tui_keys c1 Enter
tui_wait c1 10 'NOTEPWN'
case "$(tui_tmux display-message -p -t c1 '#{pane_title}')" in *NOTEPWN*) fail "a note changed the title" ;; esac
tui_keys c1 q q
tui_wait c1 5 'vigil exited 0'
vigild_stop
