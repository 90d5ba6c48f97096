# part_map.sh: the site map in the console (sourced by run.sh).
#
# A 300x100-cell floor plan over a generated site with 50 guards on duty,
# each posting a position once a second.  The console at 80x24 in a pty
# (bench_console map) opens the map ("m") and is left alone while the
# guards move: its output per second and CPU are counted, and its log gives
# the time of each draw pass of the map view (from the view stack to
# doupdate).  Reference in the same run: the draw passes of the dashboard
# over the same guards, and a full paint of the screen.

# Write a plan of $3 columns x $4 rows to $1 for site $2 over bounds $5 (lat_min,lon_min,lat_max,lon_max).
map_plan() {
	awk -v cols="$3" -v rows="$4" -v site="$2" -v bounds="$5" 'BEGIN {
		split(bounds, b, ",")
		print "map = bench"
		print "name = Benchmark plan"
		print "site = " site
		print "kind = plan"
		printf "corner = 0,0 %s,%s\n", b[3], b[2]
		printf "corner = %d,%d %s,%s\n", rows - 1, cols - 1, b[1], b[4]
		print ""
		print "[drawing]"
		for (r = 0; r < rows; r++) {
			line = ""
			for (c = 0; c < cols; c++) {
				hw = (r % 10 == 0 || r == rows - 1)
				vw = (c % 20 == 0 || c == cols - 1)
				door = (r % 10 == 0 && c % 20 == 10) || (c % 20 == 0 && r % 10 == 5)
				if (door && r > 0 && c > 0 && r < rows - 1 && c < cols - 1)
					ch = " "
				else if (hw && vw)
					ch = "+"
				else if (hw)
					ch = "-"
				else if (vw)
					ch = "|"
				else
					ch = " "
				line = line ch
			}
			print line
		}
	}' >"$1"
}

# The value of figure $2 in bench_console's output file $1.
map_val() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# Figures of the draw passes of view $2 from the console log $1: "passes p50 p99 max".
map_draws() {
	sed -n "s/.* draw $2: \([0-9]*\) passes, mean [0-9.]* ms, p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms, max \([0-9.]*\) ms.*/\1 \2 \3 \4/p" "$1" | tail -1
}

bench_map() {
	SECS=${BENCH_MAP_SECONDS:-20}
	GUARDS=50
	say "== map: a 300x100-cell plan, $GUARDS guards each moving once a second, the console at 80x24 in a pty for $SECS s"
	M=$W/map
	mkdir -p "$M/home/config" "$M/home/state/vigil" "$M/sites"
	"$BIN/vigil-sim" --sites 1 --points 40 --guards $GUARDS --seed 11 --write-sites "$M/sites" \
		>/dev/null 2>&1 || { say "map: vigil-sim --write-sites failed"; return 1; }
	site=$(ls "$M"/sites/*.site | head -1)
	key=$(sed -n 's/^key *= *//p' "$site" | head -1)
	bounds=$(sed -n 's/^bounds *= *//p' "$site" | head -1)
	[ -n "$bounds" ] || { say "map: the generated site has no bounds"; return 1; }
	map_plan "$M/sites/bench.map" "$key" 300 100 "$bounds"
	printf '\n[map bench]\nfile = bench.map\n' >>"$site"
	"$BIN/vigild" --db "$M/map.db" site import "$site" >"$M/import.out" 2>&1 ||
		{ say "map: site import failed: $(cat "$M/import.out")"; return 1; }
	printf 'bench-password-1\n' | "$BIN/vigild" --db "$M/map.db" user add bench \
		--role admin >/dev/null 2>&1 || { say "map: user add failed"; return 1; }
	vigild_start "$M/map.db"
	token=$(bench_login bench bench-password-1)
	[ -n "$token" ] || { say "map: login failed"; kill $VPID; return 1; }
	# Guards only: the site played with every gateway silent.
	silent=$(sed -n 's/^\[gateway \(.*\)\]$/--silent-gateway \1/p' "$site" | tr '\n' ' ')
	walk="$BIN/vigil-sim --url $URL --site $site $silent --position-interval 1 --duration $((SECS + 30)) --seed 11 --quiet"
	for view in dashboard map one; do
		case $view in
		dashboard) keys="" ;;
		map) keys=m ;;
		one) keys=m1 ;;
		esac
		rm -f "$M/home/state/vigil/console.log"
		(cd "$TOP" && env HOME="$M/home" XDG_CONFIG_HOME="$M/home/config" \
			XDG_STATE_HOME="$M/home/state" VIGIL_URL="$URL" VIGIL_TOKEN="$token" \
			"$TESTS/bench_console" map --keys "$keys" --storm "$SECS" \
			--screen "$M/$view.screen" "$BIN/vigil" -- $walk) >"$M/$view.out" 2>"$M/$view.err" ||
			{ say "map: the $view run failed: $(cat "$M/$view.err")"; kill $VPID; return 1; }
		cp "$M/home/state/vigil/console.log" "$M/$view.log" 2>/dev/null
	done
	kill $VPID
	wait $VPID 2>/dev/null
	moved=$(sqlite3 "$M/map.db" "SELECT COUNT(*) FROM positions")
	set -- $(map_draws "$M/map.log" map)
	[ -n "$1" ] || { say "map: no draw figures in the console log"; return 1; }
	say "positions stored over the three runs:              $moved from $GUARDS guards"
	say "map view draw pass (view stack to doupdate):       p50 $2 ms, p99 $3 ms, max $4 ms over $1 passes (target <= 5 ms a frame: $(console_met "$3 <= 5"))"
	set -- $(map_draws "$M/one.log" map)
	say "  the same at 1:1 (box characters, no braille):  p50 $2 ms, p99 $3 ms, max $4 ms over $1 passes (target <= 5 ms: $(console_met "$3 <= 5"))"
	set -- $(map_draws "$M/dashboard.log" dashboard)
	say "  reference: the dashboard's draw pass, same run:  p50 $2 ms, p99 $3 ms, max $4 ms over $1 passes"
	bps=$(map_val "$M/map.out" map_bps)
	say "console output, map open, guards moving:          $bps B/s in $(map_val "$M/map.out" map_updates) updates, CPU $(map_val "$M/map.out" map_cpu_pct)% (target <= 10240 B/s: $(console_met "$bps <= 10240"))"
	bps=$(map_val "$M/one.out" map_bps)
	say "  the same at 1:1:                                $bps B/s in $(map_val "$M/one.out" map_updates) updates, CPU $(map_val "$M/one.out" map_cpu_pct)% (target <= 10240 B/s: $(console_met "$bps <= 10240"))"
	say "  reference: the dashboard over the same guards:  $(map_val "$M/dashboard.out" map_bps) B/s in $(map_val "$M/dashboard.out" map_updates) updates, CPU $(map_val "$M/dashboard.out" map_cpu_pct)%"
}

bench_map
