#!/bin/sh
# vigil audit verify, with no terminal: an untouched export verifies (from a
# file in JSON lines or JSON, continued with --after, or fetched with
# --server); a changed field, a deleted entry, two entries swapped, the last
# entries cut off, a tail rewritten with hashes recomputed, a forged or
# missing checkpoint and a foreign key each fail with status 65 and a
# message naming the entry; usage, missing files and CSV get their
# documented statuses; vigild audit key prints the key the checkpoints use.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/export_lib.sh"
setup
test_timeout 120
export_setup
export_data
KEY=$("$VIGIL_BIN/vigild" --db "$DB" audit key) || fail "vigild audit key"
printf '%s\n' "$KEY" | grep -Eq '^[0-9a-f]{64}$' || fail "vigild audit key printed \"$KEY\""
assert_eq "$KEY" "$(api GET /api/v1/audit/key | jq -r .key)" "the key the API gives"
[ "$(stat -c %a "$DB.key")" = 600 ] || fail "the key file is not mode 600"

vx export audit --format jsonl -o "$T/a.jsonl"
expect_rc 0 "export audit"
N=$(jq -r 'select(.seq) | .seq' "$T/a.jsonl" | tail -n 1)
[ "$N" -gt 12 ] || fail "only $N audit entries"
jq -e 'select(.checkpoint) | .checkpoint.seq' "$T/a.jsonl" | grep -qx "$N" ||
	fail "the export has no checkpoint of its last entry $N"

# Untouched: verifies, with the key pinned, from the environment, or fetched.
vx audit verify "$T/a.jsonl" --key "$KEY"
expect_rc 0 "verify an untouched export"
assert_contains "$OUT" "$N entries verified (1 to $N)" "verify's report"
VIGIL_AUDIT_KEY=$KEY vx audit verify "$T/a.jsonl"
expect_rc 0 "verify with VIGIL_AUDIT_KEY"
case "$OUT" in *warning*) fail "a pinned key still warns: $OUT" ;; esac
vx audit verify "$T/a.jsonl"
expect_rc 0 "verify with the server's key"
assert_contains "$OUT" "trusts" "the warning that the server's key is trusted"
vx export audit --format json -o "$T/a.json"
expect_rc 0 "export audit json"
vx audit verify "$T/a.json" --key "$KEY"
expect_rc 0 "verify a JSON export"
vx audit verify --server --key "$KEY"
expect_rc 0 "verify --server"
no_escapes "$T/out" "verify output"

# Expect verification of $1 to fail with 65 naming entry $2 (- for none in
# particular) and saying $3.
refuted() {
	vx audit verify "$1" --key "$KEY"
	expect_rc 65 "verify $(basename "$1")"
	[ "$2" = - ] ||
		assert_contains "$OUT" "entry $2" "verify $(basename "$1") names the entry"
	assert_contains "$OUT" "$3" "verify $(basename "$1") says why"
	no_escapes "$T/out" "verify $(basename "$1")"
}

# A changed field.
jq -c 'if .seq == 5 then .actor = "mallory" else . end' "$T/a.jsonl" >"$T/changed.jsonl"
refuted "$T/changed.jsonl" 5 "altered"
# A deleted entry.
jq -c 'select(.seq != 7)' "$T/a.jsonl" >"$T/deleted.jsonl"
refuted "$T/deleted.jsonl" 7 "missing"
# Two entries swapped.
jq -c 'select(.checkpoint)' "$T/a.jsonl" >"$T/swapped.jsonl"
jq -c 'select(.seq and .seq < 8)' "$T/a.jsonl" >>"$T/swapped.jsonl"
jq -c 'select(.seq == 9)' "$T/a.jsonl" >>"$T/swapped.jsonl"
jq -c 'select(.seq == 8)' "$T/a.jsonl" >>"$T/swapped.jsonl"
jq -c 'select(.seq and .seq > 9)' "$T/a.jsonl" >>"$T/swapped.jsonl"
refuted "$T/swapped.jsonl" 8 "missing"
# The last entries cut off: the checkpoint of the last entry catches it.
head -n -3 "$T/a.jsonl" >"$T/cut.jsonl"
refuted "$T/cut.jsonl" $((N - 2)) "cut short"
# The tail rewritten with its hash recomputed: the chain holds, the signed
# checkpoint does not.
python3 - "$T/a.jsonl" "$T/rewritten.jsonl" <<'PY' || fail "rewriting the tail"
import hashlib, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
last = lines[-1]
last['outcome'] = 'denied'
canon = {k: last[k] for k in ('seq', 'ts', 'actor_type', 'actor', 'action',
         'object_type', 'object_id', 'site_id', 'source', 'outcome')}
canon['details'] = last['details_text']
text = json.dumps(canon, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
last['hash'] = hashlib.sha256(bytes.fromhex(last['prev_hash']) + text.encode()).hexdigest()
with open(sys.argv[2], 'w') as f:
    for o in lines:
        f.write(json.dumps(o, separators=(',', ':')) + '\n')
PY
refuted "$T/rewritten.jsonl" "$N" "checkpoint signed"
# No checkpoint at all: the end cannot be vouched for.
jq -c 'select(.seq)' "$T/a.jsonl" >"$T/nockpt.jsonl"
refuted "$T/nockpt.jsonl" - "no signed checkpoint"
# A checkpoint whose hash was changed: its signature fails.
jq -c 'if .checkpoint then .checkpoint.hash = "'"$(printf '%064d' 0)"'" else . end' \
	"$T/a.jsonl" >"$T/forged.jsonl"
refuted "$T/forged.jsonl" "$(jq -r 'select(.checkpoint) | .checkpoint.seq' "$T/a.jsonl" | head -n 1)" "signature"
# Another key than the server's.
vx audit verify "$T/a.jsonl" --key "$(printf '%064d' 7)"
expect_rc 65 "verify with a foreign key"
assert_contains "$OUT" "another key" "a foreign key"

# A continued export (--after into the same file) verifies.
jq -c 'select(.checkpoint)' "$T/a.jsonl" >"$T/cont.jsonl"
jq -c 'select(.seq and .seq <= 10)' "$T/a.jsonl" >>"$T/cont.jsonl"
vx export audit --format jsonl --after 10 -o "$T/cont.jsonl"
expect_rc 0 "export audit --after 10"
vx audit verify "$T/cont.jsonl" --key "$KEY"
expect_rc 0 "verify a continued export"

# The database altered behind vigild's back: --server names the entry.
sqlq "UPDATE audit SET details = '{\"role\":\"admin\"}' WHERE seq = 3"
vx audit verify --server --key "$KEY"
expect_rc 65 "verify --server after tampering"
assert_contains "$OUT" "entry 3" "verify --server names the entry"

# Statuses of the rest.
vx export audit --format csv -o "$T/a.csv"
expect_rc 0 "export audit csv"
vx audit verify "$T/a.csv" --key "$KEY"
expect_rc 65 "verify a CSV file"
assert_contains "$OUT" "jsonl" "CSV is refused with a hint"
vx audit verify "$T/none.jsonl" --key "$KEY"
expect_rc 66 "verify a missing file"
vx audit verify "$T/a.jsonl" --key nothex
expect_rc 64 "verify with a malformed key"
vx audit verify
expect_rc 64 "verify with nothing to verify"
vx audit verify "$T/a.jsonl" --server --key "$KEY"
expect_rc 64 "verify a file and the server at once"
vx audit
expect_rc 64 "audit without a subcommand"
exit 0
