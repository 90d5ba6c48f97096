# part_export.sh: the export of the audit log (sourced by run.sh).
#
# A database with BENCH_EXPORT_ROWS (1,000,000) audit entries whose chain
# verifies (bench_export).  Reference in the same run: the sqlite3 shell
# writing the same rows of the same database as CSV.  Then "vigil export
# audit --format csv -o FILE" against vigild on that database, timed from
# start to the last row written, with the client's resident memory
# high-water mark (from /usr/bin/time -v).  Each side runs three times in
# turn and its best time counts, so that a machine shared with other work
# weighs on both alike.  Targets: at least 0.8 of the sqlite3 shell's
# speed, under 20 MB.

bench_export() {
	N=${BENCH_EXPORT_ROWS:-1000000}
	E=$W/export
	mkdir -p "$E"
	say "== export: $N audit entries to CSV, against sqlite3 -csv over the same rows"
	"$TESTS/bench_export" "$E/audit.db" "$N" >/dev/null ||
		{ say "export: filling the database failed"; return 1; }
	printf 'bench-password-1\n' | "$BIN/vigild" --db "$E/audit.db" user add bench \
		--role admin >/dev/null 2>&1 || { say "export: user add failed"; return 1; }
	# Warm the page cache for both alike.
	cat "$E/audit.db" >/dev/null
	vigild_start "$E/audit.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "export: login failed"; kill $VPID; return 1; }
	# Best of three, each side in turn, so that both meet the same load.
	ref_ms=""
	vigil_ms=""
	hwm=""
	for run in 1 2 3; do
		t0=$(now_ms)
		sqlite3 -csv -header "$E/audit.db" "SELECT seq, ts_ms, actor_type, actor,
			action, object_type, object_id, site_id, details, source, outcome,
			prev_hash, hash FROM audit ORDER BY seq" >"$E/sqlite3.csv" ||
			{ say "export: sqlite3 failed"; kill $VPID; return 1; }
		t1=$(now_ms)
		[ -z "$ref_ms" ] || [ $((t1 - t0)) -lt "$ref_ms" ] && ref_ms=$((t1 - t0))
		t0=$(now_ms)
		env HOME="$E" XDG_STATE_HOME="$E/state" VIGIL_URL="$URL" VIGIL_TOKEN="$token" \
			/usr/bin/time -v "$BIN/vigil" export audit --format csv -o "$E/vigil.csv" \
			</dev/null 2>"$E/time.out"
		rc=$?
		t1=$(now_ms)
		if [ $rc -ne 0 ]; then
			say "export: vigil export failed ($rc): $(grep -v '^	' "$E/time.out" | head -n 3)"
			kill $VPID
			return 1
		fi
		[ -z "$vigil_ms" ] || [ $((t1 - t0)) -lt "$vigil_ms" ] && vigil_ms=$((t1 - t0))
		h=$(awk '/Maximum resident set size/ { printf "%.1f", $6 / 1024 }' "$E/time.out")
		[ -z "${hwm:-}" ] || awk "BEGIN { exit !($h > $hwm) }" && hwm=$h
	done
	vhwm=$(hwm_mb $VPID)
	kill $VPID
	wait $VPID 2>/dev/null
	ref_rows=$(($(wc -l <"$E/sqlite3.csv") - 1))
	say "sqlite3 -csv, same rows, best of 3:                   $ref_ms ms ($ref_rows rows, $(($(stat -c %s "$E/sqlite3.csv") / 1048576)) MB)"
	rows=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\r\n") - 1)' "$E/vigil.csv")
	ratio=$(awk "BEGIN { printf \"%.2f\", $ref_ms / $vigil_ms }")
	say "vigil export audit --format csv -o FILE, best of 3:   $vigil_ms ms ($rows rows, $(($(stat -c %s "$E/vigil.csv") / 1048576)) MB)"
	say "speed relative to sqlite3 -csv:                       $ratio (target >= 0.8: $(awk "BEGIN { print ($ratio >= 0.8) ? \"met\" : \"NOT met\" }"))"
	say "vigil's resident memory high-water mark (largest):    $hwm MB (target < 20 MB: $(awk "BEGIN { print ($hwm < 20) ? \"met\" : \"NOT met\" }"))"
	say "vigild's resident memory high-water mark:             $vhwm MB (the login's argon2id takes 64 MiB)"
	rm -f "$E/sqlite3.csv" "$E/vigil.csv"
}

bench_export
