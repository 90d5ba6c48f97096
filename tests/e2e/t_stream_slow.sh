#!/bin/sh
# A console that stops reading during a storm is sent "resync" and dropped;
# the server's memory stays bounded and another console keeps receiving
# every message.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 120
PROBE=$VIGIL_BIN/../tests/wsprobe
SITE=$VIGIL_TOP/tests/e2e/data/small.site
EVENTS=30000
site_import "$SITE"
printf 'admin-pw-1\n' | user_add root admin
# Under AddressSanitizer freed memory sits in a quarantine; keep it small so
# that resident memory says something about what vigild holds.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=4" vigild_start
TOKEN=$(login root admin-pw-1)

spawn "$PROBE" --seconds 100 --pause-file "$T/go" 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN" >"$T/slow.out"
SLOW=$LAST_PID
spawn "$PROBE" --seconds 100 --count $EVENTS 127.0.0.1 "$PORT" /api/v1/stream "$TOKEN" >"$T/fast.out"
FAST=$LAST_PID
sleep 1
# Every tamper event raises or groups an alarm: one stream message each.
"$VIGIL_BIN/vigil-sim" --url "$URL" --site "$SITE" --gateway gw-test-a --events $EVENTS \
	--batch 500 --types tamper --quiet >"$T/sim.out" 2>&1 || fail "vigil-sim: $(cat "$T/sim.out")"

too_slow() {
	grep -q 'too slow' "$T/vigild.log"
}
wait_until 30 too_slow || fail "the slow console was never found too slow"
# The queue was cut at its cap (8192 messages or 16 MB), not left to grow.
waiting=$(sed -n 's/.*too slow (\([0-9]*\) messages waiting.*/\1/p' "$T/vigild.log" | head -n 1)
[ "$waiting" -le 8192 ] || fail "the slow console's queue reached $waiting messages"
wait_exit "$FAST" 60 || fail "the reading console did not get all $EVENTS messages"
assert_eq $EVENTS "$(grep -c '^{"seq"' "$T/fast.out")" "messages to the reading console"
fast_seqs=$(grep '^{"seq"' "$T/fast.out" | jq -r .seq | sort -n | uniq | wc -l)
assert_eq $EVENTS "$fast_seqs" "distinct seqs to the reading console"

hwm=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$VIGILD_PID/status")
note "vigild peak resident memory: $hwm MB"
[ "$hwm" -lt 400 ] || fail "vigild grew to $hwm MB"

touch "$T/go"
wait_exit "$SLOW" 40 || fail "the slow console was not dropped"
tail -n 2 "$T/slow.out" | grep -q '"type":"resync"' ||
	fail "the slow console's last message is not resync: $(tail -n 2 "$T/slow.out" | cut -c1-200)"
vigild_stop
