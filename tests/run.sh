#!/bin/sh
# run.sh: run every unit and end-to-end test; one line each, then "N passed, N failed".
#
#   BUILD=build/check sh tests/run.sh [PATTERN]
#
# A test's output is kept only when it fails, under tests/tmp/logs/.
BUILD=${BUILD:-build/check}
PATTERN=${1:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
LOGS=${VIGIL_LOGS:-$TOP/tests/tmp/logs}
rm -rf "$LOGS"
mkdir -p "$LOGS"
export VIGIL_TOP="$TOP"
export VIGIL_BIN="$TOP/$BUILD/bin"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0

run_one() {
	name=$1
	shift
	case "$name" in *"$PATTERN"*) ;; *) return ;; esac
	log="$LOGS/$(echo "$name" | tr / _).log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		printf 'ok    %-40s %4ss\n' "$name" "$(( $(date +%s) - start ))"
		rm -f "$log"
	else
		failed=$((failed + 1))
		printf 'FAIL  %-40s %4ss  (log: %s)\n' "$name" "$(( $(date +%s) - start ))" "${log#$TOP/}"
		if [ -n "${CI:-}" ]; then
			tail -n 40 "$log" | sed 's/^/      /'
		fi
	fi
}

for t in "$TOP/$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$TOP"/tests/e2e/t_*.sh; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t" .sh)" sh "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
