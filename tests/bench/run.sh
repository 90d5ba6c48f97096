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

case "$ONLY" in
""|ingest) bench_ingest ;;
esac
echo "results in ${RESULTS#$TOP/}"
