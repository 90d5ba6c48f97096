#!/bin/sh
# Bulk acknowledge in a storm: vigil-sim raises a burst of alarms; Space
# marks rows (a second Space unmarks), A acknowledges the marked ones; the
# API shows exactly those acknowledged and every other alarm still new.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
SITE=$VIGIL_TOP/tests/e2e/data/small.site
site_import "$SITE"
printf 'dispatch-pw-1\n' | user_add dora dispatcher
vigild_start
TOKEN=$(login dora dispatch-pw-1)

# The open alarms as "ID<tab>POINT LABEL<tab>TYPE<tab>STATE", queue order.
alarms() {
	api GET "/api/v1/alarms?limit=500" |
		jq -r '.alarms | sort_by(.priority, .created, .id)[] |
			"\(.id)\t\(.point_label)\t\(.type)\t\(.state)"'
}

# The queue rows session c1 shows, marked ones starting with "*".
rows() {
	tui_screen c1 | grep -E '[ *]P[0-9] +[0-9]+[smhd][0-9]* .* testyard '
}

# True when $1 rows are shown.
rows_are() {
	[ "$(rows | wc -l)" -eq "$1" ]
}

# True when $1 rows show the state ack.
acked_rows_are() {
	[ "$(rows | grep -cE ' ack( |$)')" -eq "$1" ]
}

# How many rows are marked.
marked_count() {
	rows | grep -c '^\*'
}

# True when $1 rows are marked.
marked_are() {
	[ "$(marked_count)" -eq "$1" ]
}

tui_start c1 100 34
tui_wait c1 15 'LIVE'
tui_wait c1 5 'no open alarms'

note "the storm"
"$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --storm 20 --for 2 \
	--duration 4 --quiet --sent "$T/sent" >"$T/sim.log" 2>&1 ||
	fail "vigil-sim failed: $(cat "$T/sim.log")"
alarms >"$T/alarms"
N=$(wc -l <"$T/alarms" | tr -d ' ')
[ "$N" -ge 6 ] || fail "the storm raised only $N alarms: $(cat "$T/alarms")"
awk -F'\t' '$4 != "new" { exit 1 }' "$T/alarms" || fail "alarms not new before any key: $(cat "$T/alarms")"
wait_until 10 rows_are "$N" ||
	fail "the console does not show the $N alarms: $(tui_screen c1)"

# Rows 1, 3 and 5 marked; row 6 marked and unmarked again.
note "marking"
tui_keys c1 Home
tui_keys c1 Space
tui_keys c1 Down
tui_keys c1 Space
tui_keys c1 Down
tui_keys c1 Space
wait_until 5 marked_are 3 || fail "3 marks expected, the screen shows: $(rows)"
tui_keys c1 Space
wait_until 5 marked_are 4 || fail "4 marks expected, the screen shows: $(rows)"
tui_keys c1 Up
tui_keys c1 Space
wait_until 5 marked_are 3 || fail "a second Space did not unmark: $(rows)"
tui_wait c1 5 '3 marked'
rows >"$T/rows"
[ "$(sed -n '1p;3p;5p' "$T/rows" | grep -c '^\*')" -eq 3 ] ||
	fail "rows 1, 3 and 5 should be the marked ones: $(cat "$T/rows")"

# Which alarms the marked rows are: by point label and type.
: >"$T/want"
grep '^\*' "$T/rows" | while IFS= read -r row; do
	found=""
	while IFS="$(printf '\t')" read -r id label type state; do
		case "$row" in
		*" $label "*" $type "*) [ -z "$found" ] || fail "row matches two alarms: $row"
			found=$id ;;
		esac
	done <"$T/alarms"
	[ -n "$found" ] || fail "no alarm for the marked row: $row"
	echo "$found" >>"$T/want"
done || exit 1
[ "$(sort -u "$T/want" | wc -l | tr -d ' ')" -eq 3 ] ||
	fail "the marked rows are not three alarms: $(cat "$T/want")"

note "A acknowledges the marked"
tui_keys c1 A
tui_wait c1 5 'acknowledging 3 marked alarms'
# Every alarm state as the API shows it: the marked ones acknowledged.
settled() {
	alarms >"$T/after"
	[ "$(awk -F'\t' '$4 == "acknowledged"' "$T/after" | wc -l | tr -d ' ')" -eq 3 ]
}
wait_until 10 settled || fail "three alarms should be acknowledged: $(cat "$T/after")"
while IFS="$(printf '\t')" read -r id label type state; do
	if grep -qx "$id" "$T/want"; then
		assert_eq acknowledged "$state" "alarm $id ($label $type), marked"
	else
		assert_eq new "$state" "alarm $id ($label $type), not marked"
	fi
done <"$T/after"
assert_eq "$N" "$(wc -l <"$T/after" | tr -d ' ')" "open alarms after A"
assert_eq 3 "$(sqlq "SELECT count(*) FROM audit WHERE action = 'alarm.ack' AND actor = 'dora'")" \
	"acknowledgements in the audit"
# The marks are gone and the screen shows the three acknowledged.
wait_until 5 marked_are 0 || fail "marks left after A: $(rows)"
wait_until 5 acked_rows_are 3 ||
	fail "the screen does not show three acknowledged: $(rows)"

tui_keys c1 q
tui_wait c1 5 'vigil exited 0'
vigild_stop
