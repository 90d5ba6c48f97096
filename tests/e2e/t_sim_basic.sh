#!/bin/sh
# t_sim_basic.sh: vigil-sim behaves as its manual says, against a real vigild.
#
#   - usage errors exit 64 and name the option;
#   - a wrong gateway secret exits 77 with the server's message, in a load
#     run and in a played run (the gateway says hello as it starts);
#   - a replay with the same --run-id is answered entirely with duplicates,
#     and --sent lists exactly the events --acked acknowledges;
#   - generated sites are deterministic, print and write the same text,
#     import into vigild and play (events and guards' positions stored);
#   - a storm of --storm 200 --for 3 is acknowledged as about 600 alarms;
#   - a --silent-gateway sends nothing at all, not even a heartbeat.
# Nothing here depends on timing beyond generous bounds.
. "$(dirname "$0")/lib.sh"
setup
test_timeout 150

SIM=$VIGIL_BIN/vigil-sim
DEMO=$VIGIL_TOP/contrib/sites/demo/riverside.site

# Run vigil-sim with "$@" expecting status $1; output in $T/out, $T/err.
sim_expect() {
	_want=$1
	shift
	"$SIM" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	[ "$_rc" -eq "$_want" ] ||
		fail "vigil-sim $*: exited $_rc, expected $_want: $(tail -n 3 "$T/err")"
}

# The number after the word $2 in the summary line starting with $1.
summary_field() {
	awk -v l="$1" -v w="$2" '$1 == l {
		for (i = 2; i < NF; i++) if ($i == w) { print $(i + 1); exit } }' "$T/out"
}

# --- usage errors: 64, with a message naming the problem -------------------
usage() {
	_what=$1
	shift
	sim_expect 64 "$@"
	assert_contains "$(cat "$T/err")" "$_what" "vigil-sim $* message"
}
usage "--url is required" --site "$DEMO"
usage "--site FILE or --sites N is required" --url http://127.0.0.1:9
usage "unknown option" --url http://127.0.0.1:9 --site "$DEMO" --colour
usage "--storm RATE and --for SECONDS go together" --url http://127.0.0.1:9 \
	--site "$DEMO" --storm 10
usage "--print-site needs --sites N" --print-site
usage "--points needs --sites N" --points 10 --write-sites "$T/x"
usage "write 3 with --write-sites DIR" --sites 3 --print-site
usage "--clock: expected HH:MM" --url http://127.0.0.1:9 --site "$DEMO" \
	--clock 25:00
usage "--speed: expected a number" --url http://127.0.0.1:9 --site "$DEMO" \
	--speed fast
usage "--batch: expected a whole number from 1 to 1000" \
	--url http://127.0.0.1:9 --site "$DEMO" --batch 0
usage "--silent-after needs --silent-gateway KEY" \
	--url http://127.0.0.1:9 --site "$DEMO" --silent-after 5
usage "no gateway \"gw-nowhere\"" --url http://127.0.0.1:9 --site "$DEMO" \
	--silent-gateway gw-nowhere
usage "--url: expected http://HOST:PORT" --url ftp://x --site "$DEMO"
sim_expect 0 --help
assert_contains "$(cat "$T/out")" "--silent-gateway KEY" "--help"
note "usage errors exit 64"

# --- generated sites: deterministic, printed = written ----------------------
sim_expect 0 --sites 2 --points 30 --guards 3 --seed 42 --write-sites "$T/gen"
assert_eq "$T/gen/gen1.site
$T/gen/gen2.site" "$(cat "$T/out")" "files written"
sim_expect 0 --sites 1 --points 30 --guards 3 --seed 42 --print-site
cmp -s "$T/out" "$T/gen/gen1.site" ||
	fail "--print-site and --write-sites differ for the same seed"
sim_expect 0 --sites 1 --points 30 --guards 3 --seed 43 --print-site
cmp -s "$T/out" "$T/gen/gen1.site" && fail "seeds 42 and 43 made the same site"
assert_eq 30 "$(grep -c '^\[point ' "$T/gen/gen2.site")" "points of gen2"
assert_eq 3 "$(grep -c '^\[guard ' "$T/gen/gen2.site")" "guards of gen2"
note "generated sites are deterministic"

site_import "$DEMO"
site_import "$T/gen/gen1.site"
site_import "$T/gen/gen2.site"
vigild_start
note "vigild on $URL"

# --- a wrong secret: 77 and the server's message -----------------------------
sed 's/^secret = 0b223e92.*/secret = not-the-secret-of-tower-a-0000/' "$DEMO" >"$T/bad.site"
grep -q not-the-secret "$T/bad.site" || fail "could not make the bad site file"
sim_expect 77 --url "$URL" --site "$T/bad.site" --gateway gw-tower-a \
	--events 5 --quiet
assert_contains "$(cat "$T/err")" "401 unauthorized: unknown gateway or wrong secret" \
	"wrong secret, load run"
sim_expect 77 --url "$URL" --site "$T/bad.site" --gateway gw-tower-a \
	--duration 30 --quiet
assert_contains "$(cat "$T/err")" "401 unauthorized" "wrong secret, played run"
note "a wrong secret exits 77 with the server's message"

# --- a replay is answered with duplicates only -------------------------------
sim_expect 0 --url "$URL" --site "$DEMO" --events 150 --batch 40 \
	--run-id replay --acked "$T/acked1" --sent "$T/sent1" --quiet
assert_contains "$(grep '^total ' "$T/out")" "total sent 450 acked 450 duplicates 0 " \
	"first run"
cut -d ' ' -f 1,2 "$T/sent1" | sort >"$T/sent1.pairs"
cut -d ' ' -f 1,2 "$T/acked1" | sort >"$T/acked1.pairs"
cmp -s "$T/sent1.pairs" "$T/acked1.pairs" || fail "--sent and --acked differ"
assert_eq 450 "$(sort -u "$T/sent1.pairs" | wc -l | tr -d ' ')" "distinct ids sent"
sim_expect 0 --url "$URL" --site "$DEMO" --events 150 --batch 40 \
	--run-id replay --acked "$T/acked2" --quiet
assert_contains "$(grep '^total ' "$T/out")" "total sent 450 acked 450 duplicates 450 " \
	"replay"
assert_eq 450 "$(grep -c ' duplicate ' "$T/acked2")" "duplicate acknowledgements"
assert_eq 450 "$(sqlq "SELECT count(*) FROM events WHERE gw_event_id LIKE 'replay-%'")" \
	"replayed events stored"
note "a replay is answered with 450 duplicates"

# --- generated sites play: events and positions ------------------------------
sim_expect 0 --url "$URL" --sites 2 --points 30 --guards 3 --seed 42 \
	--speed 300 --clock 07:30 --duration 4 --run-id gen \
	--acked "$T/acked3" --sent "$T/sent3" --position-interval 0.5 --quiet
acked=$(summary_field total acked)
sent=$(summary_field total sent)
assert_eq "$sent" "$acked" "generated sites: sent and acked"
[ "${acked:-0}" -ge 20 ] ||
	fail "generated sites at 07:30 x300 for 4 s: only ${acked:-0} events"
assert_eq "$acked" "$(sqlq "SELECT count(*) FROM events e
	JOIN gateways g ON g.id = e.gateway_id JOIN sites s ON s.id = g.site_id
	WHERE s.key IN ('gen1', 'gen2') AND e.gw_event_id LIKE 'gen-%'")" \
	"events of the generated sites stored"
grep -q ' access_granted ' "$T/sent3" || fail "no access granted in the morning"
grep -q '^guard gen2-G3 positions [1-9]' "$T/out" || fail "guard gen2-G3 posted nothing"
stored=$(sqlq "SELECT count(*) FROM positions p JOIN guards g ON g.id = p.guard_id
	WHERE g.callsign LIKE 'gen%'")
[ "$stored" -gt 0 ] || fail "no position of a generated guard stored"
note "generated sites played: $acked events, $stored positions stored"

# --- a storm: about RATE x SECONDS alarm acknowledgements --------------------
sim_expect 0 --url "$URL" --site "$DEMO" --sites 2 --points 30 --guards 0 \
	--seed 42 --storm 200 --for 3 --duration 6 --run-id storm \
	--acked "$T/acked4" --quiet
grep '^storm ' "$T/out" >/dev/null || fail "no storm line in the summary"
storm_alarms=$(grep -c -- '-s[0-9]* [a-z]* alarm$' "$T/acked4")
storm_acks=$(grep -c -- '-s[0-9]* ' "$T/acked4")
[ "$storm_alarms" -ge 480 ] && [ "$storm_alarms" -le 600 ] ||
	fail "storm of 200/s for 3 s: $storm_alarms alarm acknowledgements, expected about 600"
assert_eq "$storm_acks" "$storm_alarms" "storm events not classed alarm"
assert_eq 0 "$(cut -d ' ' -f 1,2 "$T/acked4" | sort | uniq -d | wc -l | tr -d ' ')" \
	"events acknowledged twice"
note "storm: $storm_alarms alarm acknowledgements"

# --- a silent gateway sends nothing, not even a heartbeat --------------------
before=$(sqlq "SELECT coalesce(last_seen_ms, 0) FROM gateways WHERE key = 'gw-carpark'")
sim_expect 0 --url "$URL" --site "$DEMO" --silent-gateway gw-carpark \
	--speed 600 --clock 08:00 --duration 3 --run-id silent --quiet
assert_contains "$(cat "$T/out")" "gateway gw-carpark sent 0 acked 0 " "silent gateway"
after=$(sqlq "SELECT coalesce(last_seen_ms, 0) FROM gateways WHERE key = 'gw-carpark'")
assert_eq "$before" "$after" "last_seen_ms of the silent gateway"
others=$(sqlq "SELECT count(*) FROM events WHERE gw_event_id LIKE 'silent-%'")
[ "$others" -gt 0 ] || fail "the other gateways sent nothing at 08:00 x600"
note "a silent gateway stays silent while the others send $others events"

vigild_stop
note "ok"
