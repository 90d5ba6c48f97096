#!/bin/sh
# run.sh: the benchmarks.  Each figure is printed beside a reference
# measured in the same run on the same machine.
#
#   BUILD=build/bench sh tests/bench/run.sh [NAME]
#
# Figures go to stdout and to tests/tmp/bench/results.txt.
BUILD=${BUILD:-build/bench}
ONLY=${1:-}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/bin
TESTS=$TOP/$BUILD/tests
W=$TOP/tests/tmp/bench
rm -rf "$W"
mkdir -p "$W"
RESULTS=$W/results.txt
: >"$RESULTS"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done' EXIT

say() {
	echo "$*" | tee -a "$RESULTS"
}

# Milliseconds from a monotonic-enough clock.
now_ms() {
	date +%s%3N
}

# Resident set high-water mark of process $1, in MB.
hwm_mb() {
	awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# CPU time (user + system) of process $1, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Start vigild on database $1; sets VPID and URL.
vigild_start() {
	rm -f "$W/port"
	"$BIN/vigild" --db "$1" --listen 127.0.0.1:0 --port-file "$W/port" \
		--log "$W/vigild.log" &
	VPID=$!
	PIDS="$PIDS $VPID"
	i=0
	while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$W/port")"
}

# A site with $1 gateways of 25 points each, for load.
bench_site() {
	echo "[site]"
	echo "key = bench"
	echo "name = Benchmark site"
	g=1
	while [ "$g" -le "$1" ]; do
		printf '[gateway gw-%d]\nname = gateway %d\nsecret = bench-gateway-secret-%d-0123456789abcdef\nsupervision = 3600\n' "$g" "$g" "$g"
		p=1
		while [ "$p" -le 25 ]; do
			printf '[point g%d-p%d]\nlabel = Door %d of gateway %d\ntype = door\ngateway = gw-%d\n' \
				"$g" "$p" "$p" "$g" "$g"
			p=$((p + 1))
		done
		g=$((g + 1))
	done
}

# Ingest: 4 gateways, batches of 100, against raw SQLite inserts of the same rows.
bench_ingest() {
	GWS=4
	PER=${BENCH_INGEST_EVENTS:-50000}
	say "== ingest: $GWS gateways x $PER events, batches of 100, WAL + synchronous=FULL"
	raw=$("$TESTS/bench_sqlite" "$W/raw.db" $((GWS * PER)) $((GWS * 100)))
	say "raw SQLite inserts, same rows, transactions of $((GWS * 100)):  $raw rows/s"

	bench_site $GWS >"$W/bench.site"
	"$BIN/vigild" --db "$W/ingest.db" site import "$W/bench.site" >/dev/null 2>&1 ||
		{ say "site import failed"; return 1; }
	vigild_start "$W/ingest.db"
	t0=$(now_ms)
	"$BIN/vigil-sim" --url "$URL" --site "$W/bench.site" --events "$PER" \
		--batch 100 --types open,close --quiet >"$W/sim.out" 2>"$W/sim.err"
	t1=$(now_ms)
	stored=$(sqlite3 "$W/ingest.db" "SELECT count(*) FROM events")
	rate=$((stored * 1000 / (t1 - t0)))
	say "vigild durable ingest over HTTP:                       $rate events/s ($stored events in $((t1 - t0)) ms)"
	say "ratio to raw SQLite:                                   $(awk "BEGIN { printf \"%.2f\", $rate / $raw }")"
	say "target: >= 50000 events/s:                            $([ "$rate" -ge 50000 ] && echo met || echo NOT met)"
	say "vigild resident memory high-water mark under load:     $(hwm_mb $VPID) MB (target < 100 MB)"

	c0=$(cpu_ticks $VPID)
	sleep 5
	c1=$(cpu_ticks $VPID)
	say "vigild CPU while idle for 5 s:                         $((c1 - c0)) clock ticks (target 0)"
	kill $VPID
	wait $VPID 2>/dev/null
}

# Log in to vigild at $URL as user $1 with password $2; print the token.
bench_login() {
	curl -s -m 10 -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login" |
		jq -r '.token // empty'
}

# Wait up to $2 seconds for file $1 to exist, while process $3 lives.
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

# A fresh database with the bench site of $2 gateways and user "bench"
# (admin), at $1.
bench_db() {
	bench_site "$2" >"$W/$(basename "$1" .db).site"
	"$BIN/vigild" --db "$1" site import "$W/$(basename "$1" .db).site" >/dev/null 2>&1 &&
		printf 'bench-password-1\n' | "$BIN/vigild" --db "$1" user add bench \
			--role admin >/dev/null 2>&1
}

# Fan-out: 20 stream clients while vigil-sim ingests 5,000 tamper events/s
# (each raises or groups an alarm: one stream message per event), against
# mosquitto with 20 QoS 0 subscribers fed as many messages of the same size
# at the same rate.  Deliveries count when they arrive within 1 s of the end
# of the feed; latency is receive time minus the event's sensor time.
bench_fanout() {
	CLIENTS=20
	RATE=5000
	SECS=${BENCH_FANOUT_SECONDS:-10}
	GWS=4
	PER=$((RATE * SECS / GWS))
	EVENTS=$((PER * GWS))
	say "== fan-out: $CLIENTS clients, $RATE events/s for $SECS s ($GWS gateways x $((RATE / GWS))/s, tamper: one alarm message per event; in time = by 1 s after the feed)"
	bench_db "$W/fanout.db" $GWS || { say "fan-out: site import or user add failed"; return 1; }
	vigild_start "$W/fanout.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "fan-out: login failed"; kill $VPID; return 1; }
	"$TESTS/bench_fanout" ws 127.0.0.1 "${URL##*:}" "$token" $CLIENTS $EVENTS \
		$((SECS * 1000)) "$W/fanout-ws.ready" >"$W/fanout-ws.out" 2>"$W/fanout-ws.err" &
	fpid=$!
	PIDS="$PIDS $fpid"
	wait_file "$W/fanout-ws.ready" 20 $fpid ||
		{ say "fan-out: the stream clients did not connect: $(cat "$W/fanout-ws.err")"; kill $VPID; return 1; }
	c0=$(cpu_ticks $VPID)
	t0=$(now_ms)
	"$BIN/vigil-sim" --url "$URL" --site "$W/fanout.site" --events $PER \
		--rate $((RATE / GWS)) --batch 100 --types tamper --quiet \
		>"$W/fanout-sim.out" 2>&1 || say "fan-out: vigil-sim failed: $(tail -n 3 "$W/fanout-sim.out")"
	t1=$(now_ms)
	c1=$(cpu_ticks $VPID)
	wait $fpid
	kill $VPID
	wait $VPID 2>/dev/null
	read -r v_rate v_in v_all v_exp v_p50 v_p99 v_max v_bytes v_gaps v_s50 v_s99 <"$W/fanout-ws.out" ||
		{ say "fan-out: the stream clients failed: $(cat "$W/fanout-ws.err")"; return 1; }

	command -v mosquitto >/dev/null ||
		{ say "fan-out: no mosquitto for the reference (contrib/deps.sh installs it)"; return 1; }
	MPORT=$("$TESTS/bench_fanout" port)
	cat >"$W/mosquitto.conf" <<-EOF
	listener $MPORT 127.0.0.1
	allow_anonymous true
	persistence false
	max_queued_messages $(sed -n 's/^#define LIMIT_STREAM_QUEUE_MSGS *\([0-9]*\).*/\1/p' "$TOP/src/common/vlimits.h")
	log_dest file $W/mosquitto.log
	user $(id -un)
	EOF
	mosquitto -c "$W/mosquitto.conf" >"$W/mosquitto.err" 2>&1 &
	mpid=$!
	PIDS="$PIDS $mpid"
	i=0
	while ! grep -q ' running' "$W/mosquitto.log" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$TESTS/bench_fanout" mqtt-sub 127.0.0.1 "$MPORT" $CLIENTS $EVENTS \
		$((SECS * 1000)) "$W/fanout-mqtt.ready" >"$W/fanout-mqtt.out" 2>"$W/fanout-mqtt.err" &
	fpid=$!
	PIDS="$PIDS $fpid"
	if wait_file "$W/fanout-mqtt.ready" 20 $fpid; then
		"$TESTS/bench_fanout" mqtt-pub 127.0.0.1 "$MPORT" $EVENTS $RATE "$v_bytes" ||
			say "fan-out: the MQTT publisher failed"
	fi
	wait $fpid
	kill $mpid
	wait $mpid 2>/dev/null
	read -r m_rate m_in m_all m_exp m_p50 m_p99 m_max m_bytes m_gaps m_s50 m_s99 <"$W/fanout-mqtt.out" ||
		{ say "fan-out: mosquitto run failed: $(cat "$W/fanout-mqtt.err" "$W/mosquitto.err")"; return 1; }

	say "mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p'), $CLIENTS QoS 0 subscribers, $m_bytes B:   $m_rate deliveries/s ($m_in of $m_exp in time, $m_all in all); latency p50 $m_p50 ms, p99 $m_p99 ms, max $m_max ms"
	say "vigild stream, $CLIENTS clients, $v_bytes B:           $v_rate deliveries/s ($v_in of $v_exp in time, $v_all in all); ingest-to-client latency p50 $v_p50 ms, p99 $v_p99 ms, max $v_max ms"
	say "  the part from vigild handling the event (alarm \"updated\") to the client: p50 $v_s50 ms, p99 $v_s99 ms"
	[ "$v_gaps" -eq 0 ] || say "  vigild stream: $v_gaps gaps or resyncs (\"too slow\": the client is dropped)"
	[ "$m_gaps" -eq 0 ] || say "  mosquitto: $m_gaps gaps (messages dropped)"
	say "ratio of deliveries vigild / mosquitto:           $(awk "BEGIN { printf \"%.3f\", $v_rate / ($m_rate > 0 ? $m_rate : 1) }")"
	say "vigild CPU while the feed ran:                    $(awk "BEGIN { printf \"%.0f\", ($c1 - $c0) * 100000 / $(getconf CLK_TCK) / ($t1 - $t0) }")% of one core"
	ok=$(awk "BEGIN { print ($v_rate >= $m_rate && $v_p99 <= 50) ? \"met\" : \"NOT met\" }")
	say "target: deliveries >= mosquitto's, p99 <= 50 ms:  $ok"
}

# Catch-up: a console away for 60 s at 5,000 messages/s comes back to
# 300,000 messages.  The log is filled with copies of real alarm messages
# (from vigil-sim tamper events) straight into the stream table, then a
# client connects with since= the seq it had and is timed until "live";
# against the sqlite3 shell reading the same rows with the hub's query.
bench_catchup() {
	MISSED=${BENCH_CATCHUP_MESSAGES:-300000}
	say "== catch-up: a client back after 60 s away catches up on $MISSED messages"
	bench_db "$W/catchup.db" 4 || { say "catch-up: site import or user add failed"; return 1; }
	vigild_start "$W/catchup.db"
	"$BIN/vigil-sim" --url "$URL" --site "$W/catchup.site" --events 500 --batch 100 \
		--types tamper --quiet >"$W/catchup-sim.out" 2>&1 ||
		say "catch-up: vigil-sim failed: $(tail -n 3 "$W/catchup-sim.out")"
	kill $VPID
	wait $VPID 2>/dev/null
	since=$(sqlite3 "$W/catchup.db" "SELECT MAX(seq) FROM stream")
	[ "${since:-0}" -gt 0 ] || { say "catch-up: no stream messages to copy"; return 1; }
	sqlite3 "$W/catchup.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $MISSED)
		INSERT INTO stream (ts_ms, type, site_id, data)
		SELECT $(now_ms) - 60000 + n.i / 5, s.type, s.site_id, s.data
		FROM n JOIN stream s ON s.seq = 1 + (n.i - 1) % $since ORDER BY n.i" ||
		{ say "catch-up: filling the log failed"; return 1; }
	size=$(sqlite3 "$W/catchup.db" "SELECT printf('%.0f', AVG(LENGTH(data))) FROM stream WHERE seq > $since")

	t0=$(now_ms)
	sqlite3 "$W/catchup.db" "SELECT l.seq, l.ts_ms, l.type, l.site_id, s.key, l.data FROM stream l
		LEFT JOIN sites s ON s.id = l.site_id WHERE l.seq > $since ORDER BY l.seq" >/dev/null
	t1=$(now_ms)
	say "sqlite3 shell reading the same $MISSED rows:      $((t1 - t0)) ms"

	vigild_start "$W/catchup.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "catch-up: login failed"; kill $VPID; return 1; }
	if "$TESTS/bench_catchup" 127.0.0.1 "${URL##*:}" "$token" "$since" "$MISSED" \
		>"$W/catchup.out" 2>"$W/catchup.err"; then
		read -r ms got mb first <"$W/catchup.out"
		say "vigild stream, connect with since=$since to \"live\": $ms ms ($got messages, data ~$size B, $mb MB, first after $first ms)"
		say "ratio to the sqlite3 shell:                       $(awk "BEGIN { printf \"%.1f\", $ms / ($t1 - $t0 > 0 ? $t1 - $t0 : 1) }")"
		say "target: < 5 s:                                    $([ "$ms" -lt 5000 ] && echo met || echo NOT met)"
	else
		say "vigild stream catch-up failed: $(cat "$W/catchup.err")"
		say "target: < 5 s:                                    NOT met"
	fi
	say "vigild resident memory high-water mark:           $(hwm_mb $VPID) MB"
	kill $VPID
	wait $VPID 2>/dev/null
}

case "$ONLY" in
""|ingest) bench_ingest ;;
esac
case "$ONLY" in
""|fanout) bench_fanout ;;
esac
case "$ONLY" in
""|catchup) bench_catchup ;;
esac

# A figure NAME from bench_console's output in file $1.
console_val() {
	awk -v k="$2" '$1 == k { sub(/^[^ ]* /, ""); print; exit }' "$1"
}

# "met" or "NOT met" for the awk condition $1.
console_met() {
	awk "BEGIN { print ($1) ? \"met\" : \"NOT met\" }"
}

# Console: vigil at 80x24 in a pty that bench_console creates and reads
# (TERM=xterm-256color, LANG=C.UTF-8), with a model of the screen so that a
# key counts when its effect is on the screen.  A storm of 1,000 alarm
# events/s from vigil-sim over 20 generated sites of 1,000 points (20,000
# points, so most events open a new alarm), first with no console (the
# server's CPU for reference), then with the console: bytes through the pty,
# the console's CPU, "?" timed until the help is up and "q" until the queue
# is back, against the same keys on an idle feed; idle output before and
# after.  Then start-up on 100,000 open alarms written straight into a fresh
# database, against curl fetching the same snapshot pages.
bench_console() {
	SECS=${BENCH_CONSOLE_SECONDS:-20}
	RATE=1000
	SITES=20
	POINTS=1000
	OPEN=100000
	say "== console: vigil at 80x24 in a pty (TERM=xterm-256color, LANG=C.UTF-8); a storm of $RATE alarm events/s for $SECS s over $SITES sites x $POINTS points; start-up on $OPEN open alarms"
	C=$W/console
	mkdir -p "$C/home/config" "$C/home/state" "$C/sites"
	"$BIN/vigil-sim" --sites $SITES --points $POINTS --seed 7 --write-sites "$C/sites" >/dev/null 2>&1 ||
		{ say "console: vigil-sim --write-sites failed"; return 1; }
	sites=""
	for f in "$C"/sites/*.site; do
		"$BIN/vigild" --db "$C/base.db" site import "$f" >/dev/null 2>&1 ||
			{ say "console: site import of $f failed"; return 1; }
		sites="$sites --site $f"
	done
	printf 'bench-password-1\n' | "$BIN/vigild" --db "$C/base.db" user add bench \
		--role admin >/dev/null 2>&1 || { say "console: user add failed"; return 1; }
	# The storm: the same seed, so the same points in the same order.
	storm="$BIN/vigil-sim --url URL $sites --storm $RATE --for $SECS --duration $((SECS + 1)) --seed 7 --quiet"

	# Reference: the storm with no console.
	cp "$C/base.db" "$C/ref.db"
	vigild_start "$C/ref.db"
	"$TESTS/bench_console" storm --server $VPID --sim-out "$C/sim-ref.out" -- \
		$(echo "$storm" | sed "s|URL|$URL|") >"$C/ref.out" 2>"$C/ref.err"
	kill $VPID
	wait $VPID 2>/dev/null

	# The console through the same storm.
	cp "$C/base.db" "$C/live.db"
	vigild_start "$C/live.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "console: login failed"; kill $VPID; return 1; }
	(cd "$TOP" && env HOME="$C/home" XDG_CONFIG_HOME="$C/home/config" \
		XDG_STATE_HOME="$C/home/state" VIGIL_URL="$URL" VIGIL_TOKEN="$token" \
		"$TESTS/bench_console" live --server $VPID --storm $SECS --presses 50 --warm 20 \
		--idle 10 --after 5 --sim-out "$C/sim-live.out" --screen "$C/live.screen" \
		"$BIN/vigil" -- $(echo "$storm" | sed "s|URL|$URL|")) >"$C/live.out" 2>"$C/live.err"
	live_rc=$?
	kill $VPID
	wait $VPID 2>/dev/null
	if [ $live_rc -ne 0 ] && [ -z "$(console_val "$C/live.out" storm_p99)" ]; then
		say "console: the live run failed: $(cat "$C/live.err")"
	else
		L=$C/live.out
		events=$(sqlite3 "$C/live.db" "SELECT COUNT(*) FROM events WHERE gw_event_id LIKE '%-s%'")
		opened=$(sqlite3 "$C/live.db" "SELECT COUNT(*) FROM alarms")
		dbnew=$(sqlite3 "$C/live.db" "SELECT COUNT(*) FROM alarms WHERE state = 'new'")
		sms=$(console_val "$L" storm_ms)
		say "storm: $events events in $sms ms (vigil-sim start to exit) opened $opened alarms ($(awk "BEGIN { printf \"%.0f\", $opened * 100 / ($events > 0 ? $events : 1) }")%), the rest grouped; vigil-sim: $(grep '^storm sent' "$C/sim-live.out")"
		for r in "$C/ref.out" "$L"; do
			st=$(console_val "$r" storm_status)
			[ "${st:-1}" -eq 0 ] || say "  vigil-sim exited with $st in the run of ${r##*/}: not every event was acknowledged"
		done
		say "vigild CPU during the storm, no console:          $(console_val "$C/ref.out" server_cpu_pct)% of one core"
		say "vigild CPU during the storm, console attached:    $(console_val "$L" server_cpu_pct)% of one core"
		cpu=$(console_val "$L" storm_cpu_pct)
		say "console CPU during the storm:                     $cpu% of one core (target < 25%: $(console_met "$cpu < 25"))"
		bps=$(console_val "$L" storm_bps)
		say "console output during the storm:                  $bps B/s, $(awk "BEGIN { printf \"%.1f\", $(console_val "$L" storm_updates) * 1000 / $sms }") updates/s, largest $(console_val "$L" storm_update_max) B (target <= 20480 B/s: $(console_met "$bps <= 20480"))"
		say "  reference: the first full paint of the screen:  $(console_val "$L" paint_bytes) B"
		p99=$(console_val "$L" storm_p99)
		say "console key to screen during the storm:           p50 $(console_val "$L" storm_p50) ms, p99 $p99 ms, max $(console_val "$L" storm_max) ms over $(console_val "$L" storm_n) presses, $(console_val "$L" storm_lost) lost (target p99 <= 100 ms: $(console_met "$p99 <= 100 && $(console_val "$L" storm_lost) == 0"))"
		say "  reference: the same keys on an idle feed:       p50 $(console_val "$L" warm_p50) ms, p99 $(console_val "$L" warm_p99) ms over $(console_val "$L" warm_n) presses"
		cnew=$(console_val "$L" counts | sed -n 's/.* new \([0-9]*\) .*/\1/p')
		say "console counts after the storm:                   new $cnew (the database: $dbnew), settled $(console_val "$L" settle_ms) ms after vigil-sim ended"
		iu=$(console_val "$L" idle_updates)
		irows=$(console_val "$L" idle_rows)
		say "console idle for 10 s, empty queue:               $(console_val "$L" idle_bps) B/s ($(console_val "$L" idle_bytes) B in $iu updates of $(console_val "$L" idle_update_min)-$(console_val "$L" idle_update_max) B), rows changed: $irows, CPU $(console_val "$L" idle_cpu_pct)% (target: the clock only, once a second: $(console_met "\"$irows\" == \"0\" && $iu <= 11"))"
		say "console idle for 5 s after the storm, $opened open: $(console_val "$L" after_bps) B/s in $(console_val "$L" after_updates) updates, rows changed: $(console_val "$L" after_rows) (the ages tick)"
		say "console memory high-water mark after the storm:   $(awk "BEGIN { printf \"%.1f\", $(console_val "$L" hwm_kb) / 1024 }") MB"
	fi

	# Start-up on 100,000 open alarms: 5 per point, spread over 12 hours,
	# 90% new, 9% acknowledged, 1% assigned, priorities by the default rules.
	cp "$C/base.db" "$C/open.db"
	sqlite3 "$C/open.db" "
	BEGIN;
	CREATE TEMP TABLE p AS SELECT id, site_id, gateway_id, type,
	    ROW_NUMBER() OVER (ORDER BY id) - 1 AS r FROM points;
	CREATE TEMP TABLE g AS SELECT id, site_id,
	    ROW_NUMBER() OVER (PARTITION BY site_id ORDER BY id) - 1 AS r FROM guards;
	CREATE TEMP TABLE b AS WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $OPEN - 1)
	SELECT k, p.id AS point_id, p.site_id, p.gateway_id,
	    CASE k / (SELECT COUNT(*) FROM p)
	    WHEN 0 THEN CASE p.type WHEN 'motion' THEN 'tamper' WHEN 'water' THEN 'water_leak'
	        WHEN 'equipment' THEN 'fault'
	        WHEN 'smoke' THEN CASE WHEN p.r % 10 = 0 THEN 'fire' ELSE 'fault' END
	        WHEN 'panic' THEN 'panic' ELSE 'forced' END
	    WHEN 1 THEN CASE WHEN p.type IN ('door', 'gate', 'barrier') THEN 'held_open' ELSE 'tamper' END
	    WHEN 2 THEN CASE WHEN p.type IN ('door', 'window', 'gate', 'barrier') THEN 'tamper' ELSE 'fault' END
	    WHEN 3 THEN 'low_battery' ELSE 'fault' END AS type,
	    $(now_ms) - 43200000 + ((k * 7919) % $OPEN) * (43200000 / $OPEN) AS t,
	    CASE WHEN k % 100 = 0 THEN 'assigned' WHEN k % 100 < 10 THEN 'acknowledged' ELSE 'new' END AS state
	FROM n JOIN p ON p.r = n.k % (SELECT COUNT(*) FROM p);
	INSERT INTO events (id, gateway_id, gw_event_id, site_id, point_id, type, sensor_ms,
	    received_ms, class, alarm_id)
	SELECT k + 1, gateway_id, 'backlog-' || (k + 1), site_id, point_id, type, t, t + 40,
	    'alarm', k + 1 FROM b;
	INSERT INTO alarms (id, site_id, point_id, gateway_id, type, priority, state, version,
	    count, first_event_id, last_event_id, created_ms, updated_ms, last_event_ms,
	    acked_ms, acked_by, assigned_ms, assigned_by, guard_id)
	SELECT k + 1, site_id, point_id, gateway_id, type,
	    CASE type WHEN 'fire' THEN 1 WHEN 'panic' THEN 2 WHEN 'water_leak' THEN 3
	        WHEN 'forced' THEN 4 WHEN 'tamper' THEN 4 WHEN 'held_open' THEN 5
	        WHEN 'fault' THEN 6 ELSE 8 END,
	    state, CASE state WHEN 'new' THEN 1 WHEN 'acknowledged' THEN 2 ELSE 3 END, 1,
	    k + 1, k + 1, t + 40,
	    CASE state WHEN 'new' THEN t + 40 WHEN 'acknowledged' THEN t + 60000 ELSE t + 120000 END, t,
	    CASE WHEN state <> 'new' THEN t + 60000 END, CASE WHEN state <> 'new' THEN 'bench' END,
	    CASE WHEN state = 'assigned' THEN t + 120000 END,
	    CASE WHEN state = 'assigned' THEN 'bench' END,
	    CASE WHEN state = 'assigned' THEN
	        (SELECT g.id FROM g WHERE g.site_id = b.site_id AND g.r = (b.k / 100) % 4) END
	FROM b;
	COMMIT;" || { say "console: filling the alarms failed"; return 1; }
	vigild_start "$C/open.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "console: login failed"; kill $VPID; return 1; }
	# Reference: the console's snapshot requests, one after another, with curl.
	page=$(sed -n 's/^#define TUI_SNAPSHOT_PAGE *\([0-9]*\).*/\1/p' "$TOP/src/tui/tui.h")
	after=""
	got=0
	pages=0
	: >"$C/curl.times"
	while :; do
		curl -s -m 60 -H "Authorization: Bearer $token" -w '%{time_total} %{size_download}\n' \
			"$URL/api/v1/alarms?state=open&limit=$page$after" -o "$C/page.json" \
			>>"$C/curl.times" || break
		n=$(grep -o '"point_label"' "$C/page.json" | wc -l)
		got=$((got + n))
		pages=$((pages + 1))
		[ "$n" -lt "$page" ] && break
		after="&after_id=$(grep -o '"id":[0-9]*' "$C/page.json" | tail -n 1 | cut -d: -f2)"
	done
	alarms_ms=$(awk '{ t += $1 } END { printf "%.0f", t * 1000 }' "$C/curl.times")
	alarms_mb=$(awk '{ b += $2 } END { printf "%.1f", b / 1048576 }' "$C/curl.times")
	for p in guards sites; do
		curl -s -m 60 -H "Authorization: Bearer $token" -w '%{time_total} %{size_download}\n' \
			"$URL/api/v1/$p" -o /dev/null >>"$C/curl.times"
	done
	for f in "$C"/sites/*.site; do
		curl -s -m 60 -H "Authorization: Bearer $token" -w '%{time_total} %{size_download}\n' \
			"$URL/api/v1/sites/$(basename "$f" .site)/points" -o /dev/null >>"$C/curl.times"
	done
	all_ms=$(awk '{ t += $1 } END { printf "%.0f", t * 1000 }' "$C/curl.times")
	all_mb=$(awk '{ b += $2 } END { printf "%.1f", b / 1048576 }' "$C/curl.times")
	say "curl, the console's snapshot requests in turn:   $all_ms ms, $all_mb MB (the alarms: $alarms_ms ms, $alarms_mb MB, $got in $pages pages of $page)"
	(cd "$TOP" && env HOME="$C/home" XDG_CONFIG_HOME="$C/home/config" \
		XDG_STATE_HOME="$C/home/state" VIGIL_URL="$URL" VIGIL_TOKEN="$token" \
		"$TESTS/bench_console" start --server $VPID --settle 1000 \
		--screen "$C/start.screen" "$BIN/vigil") >"$C/start.out" 2>"$C/start.err"
	kill $VPID
	wait $VPID 2>/dev/null
	S=$C/start.out
	first=$(console_val "$S" first_row_ms)
	if [ -z "$first" ]; then
		say "console: the start-up run failed: $(cat "$C/start.err")"
		return 1
	fi
	hwm=$(awk "BEGIN { printf \"%.1f\", $(console_val "$S" hwm_kb) / 1024 }")
	say "console exec to the first queue row, $OPEN open: $first ms (target < 1000 ms: $(console_met "$first < 1000"))"
	say "  CPU on the way:                                 the console $(console_val "$S" first_row_cpu_ms) ms, vigild $(console_val "$S" first_row_server_cpu_ms) ms"
	say "  it shows:                                      $(console_val "$S" counts | sed 's/  */ /g')"
	say "  the whole snapshot in and the feed LIVE after:  $(console_val "$S" live_ms) ms (the first page is shown while the rest loads)"
	say "console memory high-water mark, all $OPEN in:   $hwm MB (target < 100 MB: $(console_met "$hwm < 100"))"
}

case "$ONLY" in
""|console) bench_console ;;
esac
# Further sections, one file each (part_NAME.sh runs when NAME is asked for or
# when no name is given); they use the helpers above.
for part in "$TOP"/tests/bench/part_*.sh; do
	[ -f "$part" ] || continue
	name=$(basename "$part" .sh)
	name=${name#part_}
	case "$ONLY" in
	""|"$name") . "$part" ;;
	esac
done
echo "results in ${RESULTS#$TOP/}"
