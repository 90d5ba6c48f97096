# export_lib.sh: what the export tests share (source after lib.sh).
#
#   export_setup          two sites, users sam (supervisor), dora (dispatcher),
#                         mia (manager of harbour), vigild running, the CLI's
#                         environment set for sam; hostile text in $HOSTILE
#   export_data           events, alarms, access events, positions, a closed
#                         alarm and a note, some of them carrying $HOSTILE
#   vx ARGS...            run vigil with no terminal: output in $T/out, status in RC
#   expect_rc N WHAT      fail unless the last vx ended with status N
#   no_escapes FILE WHAT  fail when FILE holds an ESC or a C1 control byte

# A value meant to hurt: a formula, quotes, commas, a newline, a terminal
# escape (title, clear screen) and a C1 CSI, as JSON string text.
HOSTILE_JSON='=HYPERLINK(\"http://x.example/\",\"click\"), \"quoted\"; a,b\nline2 \u001b]0;PWNED\u0007\u001b[2J \u009b31m end'

export_setup() {
	site_import "$VIGIL_TOP/tests/e2e/data/small.site"
	site_import "$VIGIL_TOP/tests/e2e/data/harbour.site"
	printf 'super-pw-1\n' | user_add sam supervisor
	printf 'dispatch-pw-1\n' | user_add dora dispatcher
	printf 'manager-pw-1\n' | user_add mia manager --site harbour
	vigild_start
	TOKEN=$(login sam super-pw-1)
	XDG_STATE_HOME=$T/state
	HOME=$T
	VIGIL_URL=$URL
	VIGIL_TOKEN=$TOKEN
	export XDG_STATE_HOME HOME VIGIL_URL VIGIL_TOKEN
	unset VIGIL_AUDIT_KEY
	NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
}

# Post events (a JSON array body) as gateway $1 with secret $2.
export_ingest() {
	curl -s -m 10 -u "$1:$2" -H 'Content-Type: application/json' \
		--data-binary "{\"events\":$3}" "$URL/api/v1/ingest" >"$T/ingest.out" ||
		fail "ingest as $1 failed"
	jq -e '.results' "$T/ingest.out" >/dev/null || fail "ingest as $1: $(cat "$T/ingest.out")"
}

export_data() {
	export_ingest gw-test-a test-gateway-a-secret-0123456789 \
		"[{\"id\":\"e1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\",\"value\":\"$HOSTILE_JSON\"},
		  {\"id\":\"e2\",\"point\":\"a-water\",\"type\":\"water_leak\",\"ts\":\"$NOW\",\"value\":\"-12.5 litres\"}]"
	export_ingest gw-test-b test-gateway-b-secret-0123456789 \
		"[{\"id\":\"g1\",\"point\":\"b-gate\",\"type\":\"access_granted\",\"ts\":\"$NOW\",\"credential\":\"@card-7\"},
		  {\"id\":\"g2\",\"point\":\"b-gate\",\"type\":\"access_denied\",\"ts\":\"$NOW\",\"credential\":\"=cmd|' /C calc'!A0\\u001b[2J\"}]"
	export_ingest gw-harbour harbour-gateway-secret-0123456789abcdef \
		"[{\"id\":\"h1\",\"point\":\"h-door\",\"type\":\"forced\",\"ts\":\"$NOW\",\"value\":\"harbour\"}]"
	curl -s -m 10 -u T1:test-guard-t1-device-secret-0123 -H 'Content-Type: application/json' \
		--data-binary "{\"positions\":[{\"ts\":\"$NOW\",\"lat\":53.79512,\"lon\":-1.54103,\"accuracy\":8.5}]}" \
		"$URL/api/v1/ingest/positions" >"$T/pos.out" || fail "positions"
	jq -e '.stored == 1' "$T/pos.out" >/dev/null || fail "position not stored: $(cat "$T/pos.out")"
	A1=$(api GET "/api/v1/alarms?state=all" | jq -r '[.alarms[] | select(.point == "a-door")][0].id')
	[ -n "$A1" ] && [ "$A1" != null ] || fail "no alarm for a-door"
	api POST "/api/v1/alarms/$A1/notes" "{\"text\":\"$HOSTILE_JSON\"}" >/dev/null
	assert_eq 200 "$(last_status)" "hostile note"
	V=$(api GET "/api/v1/alarms/$A1" | jq -r '.alarm.version')
	api POST "/api/v1/alarms/$A1/close" "{\"version\":$V,\"resolution\":\"false_alarm\",\"note\":\"$HOSTILE_JSON\"}" >/dev/null
	assert_eq 200 "$(last_status)" "close with a hostile note"
}

# Run vigil with no terminal; output in $T/out, status in RC.
vx() {
	"$VIGIL_BIN/vigil" "$@" </dev/null >"$T/out" 2>&1
	RC=$?
	OUT=$(cat "$T/out")
}

# Fail unless the last vx ended with status $1; $2 says what was run.
expect_rc() {
	[ "$RC" -eq "$1" ] || fail "$2: status $RC, expected $1: $OUT"
}

# Fail when file $1 holds an ESC byte or a C1 control (raw or as UTF-8).
no_escapes() {
	if LC_ALL=C grep -q "$(printf '\033')" "$1"; then
		fail "$2: an ESC byte in the output"
	fi
	if LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1"; then
		fail "$2: a C1 control in the output"
	fi
	if LC_ALL=C grep -q "$(printf '[\200-\237]')" "$1" &&
	   ! LC_ALL=C grep -q "$(printf '[\300-\377]')" "$1"; then
		fail "$2: a raw C1 byte in the output"
	fi
}
