#!/bin/sh
# t_ingest_crash.sh: nothing acknowledged is lost, nothing is stored twice,
# when vigild is killed with SIGKILL in the middle of ingest.
#
# Two simulated gateways send 6,000 events each in batches of 100.  After
# about a third were acknowledged, vigild is killed -9 and restarted on the
# same port and database; the gateways retry with the same event ids and
# finish.  Then every acknowledged (gateway, event id) must be stored exactly
# once, and the events stored must be exactly the ids that were sent.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 90

EVENTS=6000                     # per gateway
GATEWAYS="gw-test-a gw-test-b"
TOTAL=12000
KILL_AT=4000                    # acknowledged events before the crash
RUN=crash
SITE=$VIGIL_TOP/tests/e2e/data/small.site
ACKED=$T/acked

site_import "$SITE"
vigild_start
note "vigild on $URL"

spawn "$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --events $EVENTS \
	--batch 100 --acked "$ACKED" --run-id $RUN >"$T/sim.out" 2>"$T/sim.err"
SIM=$LAST_PID

acked_count() {
	[ -f "$ACKED" ] && wc -l <"$ACKED" | tr -d ' ' || echo 0
}
acked_reached() {
	[ "$(acked_count)" -ge "$1" ] || ! alive "$SIM"
}

WAIT_POLL=0.01 wait_until 40 acked_reached $KILL_AT ||
	fail "only $(acked_count) of $TOTAL events acknowledged after 40 s"
alive "$SIM" || fail "vigil-sim ended before the crash: $(cat "$T/sim.err")"
vigild_kill9
before=$(acked_count)
note "killed vigild with $before events acknowledged"
[ "$before" -lt "$TOTAL" ] || fail "every event was acknowledged before the crash"

# Let the gateways meet a dead server for a moment, then restart it.
sleep 1
vigild_start
note "vigild restarted on $URL"

wait_exit "$SIM" 45 ||
	fail "vigil-sim did not finish within 45 s of the restart ($(acked_count) acknowledged)"
[ "$WAIT_STATUS" -eq 0 ] ||
	fail "vigil-sim exited $WAIT_STATUS: $(tail -n 5 "$T/sim.err")"
cat "$T/sim.out"

# What vigil-sim says it sent, and what it was told.
summary=$(grep '^total ' "$T/sim.out")
assert_contains "$summary" "total sent $TOTAL acked $TOTAL " "vigil-sim summary"
retries=$(printf '%s\n' "$summary" | sed -n 's/.* retries \([0-9]*\)$/\1/p')
[ "${retries:-0}" -gt 0 ] || fail "no batch was retried: the crash came too late"

# The acknowledgements: each (gateway, id) once, every id sent acknowledged.
cut -d ' ' -f 1,2 "$ACKED" | sort >"$T/acked.pairs"
assert_eq $TOTAL "$(wc -l <"$T/acked.pairs" | tr -d ' ')" "acknowledgement lines"
assert_eq $TOTAL "$(sort -u "$T/acked.pairs" | wc -l | tr -d ' ')" \
	"distinct acknowledged events"
for gw in $GATEWAYS; do
	seq 1 $EVENTS | sed "s/^/$gw $RUN-$gw-/"
done | sort >"$T/sent.pairs"
cmp -s "$T/sent.pairs" "$T/acked.pairs" ||
	fail "acknowledged ids differ from the ids sent: $(comm -3 "$T/sent.pairs" "$T/acked.pairs" | head -n 3)"
dups=$(grep -c ' duplicate ' "$ACKED")
note "$dups events were acknowledged as duplicates after the crash"

# The store: exactly the ids sent, each once.
sqlq "SELECT g.key || ' ' || e.gw_event_id FROM events e
	JOIN gateways g ON g.id = e.gateway_id
	WHERE e.gw_event_id LIKE '$RUN-%'" | sort >"$T/stored.pairs"
twice=$(uniq -d "$T/stored.pairs" | head -n 3)
[ -z "$twice" ] || fail "events stored twice: $twice"
lost=$(comm -23 "$T/acked.pairs" "$T/stored.pairs" | head -n 3)
[ -z "$lost" ] || fail "acknowledged events not stored: $lost"
extra=$(comm -13 "$T/sent.pairs" "$T/stored.pairs" | head -n 3)
[ -z "$extra" ] || fail "stored events that were never sent: $extra"
assert_eq $TOTAL "$(wc -l <"$T/stored.pairs" | tr -d ' ')" "events stored"
assert_eq 0 "$(sqlq "SELECT count(*) FROM (SELECT 1 FROM events
	GROUP BY gateway_id, gw_event_id HAVING count(*) > 1)")" \
	"(gateway, event id) pairs stored more than once"

vigild_stop
"$VIGIL_BIN/vigild" --db "$DB" audit verify >"$T/verify.out" 2>&1 ||
	fail "audit chain does not verify after the crash: $(tail -n 3 "$T/verify.out")"
note "ok: $TOTAL events, $before acknowledged before the crash, $dups duplicates, $retries retries"
