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
echo "results in ${RESULTS#$TOP/}"
