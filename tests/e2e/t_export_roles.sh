#!/bin/sh
# vigil export by role and its exit statuses, with no terminal: only
# supervisors and admins export the audit; a manager exports only the rows
# of their own sites; a dispatcher sees no credential values; a refused
# token, an unknown site, a bad option, an unwritable file, a server that is
# gone and an export cut short each end with the status vigil(1) documents,
# the cut one saying where to continue with --after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/export_lib.sh"
setup
test_timeout 120
export_setup
export_data

# Dispatcher: no audit; alarms yes; access history without credentials.
VIGIL_TOKEN=$(login dora dispatch-pw-1) vx export audit -o "$T/d.csv"
expect_rc 77 "dispatcher exports the audit"
assert_contains "$OUT" "not allowed" "the refusal"
VIGIL_TOKEN=$(login dora dispatch-pw-1) vx export alarms --format jsonl -o "$T/d.jsonl"
expect_rc 0 "dispatcher exports alarms"
assert_eq 3 "$(wc -l <"$T/d.jsonl" | tr -d ' ')" "alarms a dispatcher exports"
VIGIL_TOKEN=$(login dora dispatch-pw-1) vx export access-history --format jsonl -o "$T/d-acc.jsonl"
expect_rc 0 "dispatcher exports access history"
assert_eq "null null" "$(jq -r .credential "$T/d-acc.jsonl" | tr '\n' ' ' | sed 's/ $//')" \
	"credentials a dispatcher sees"

# Manager of harbour: its rows only, never another site's, never the audit.
MT=$(login mia manager-pw-1)
VIGIL_TOKEN=$MT vx export alarms --format jsonl -o "$T/m.jsonl"
expect_rc 0 "manager exports alarms"
assert_eq "harbour" "$(jq -r .site "$T/m.jsonl" | sort -u | tr '\n' ' ' | sed 's/ $//')" "sites of a manager's alarms"
VIGIL_TOKEN=$MT vx export access-history --format jsonl -o "$T/m-acc.jsonl"
expect_rc 0 "manager exports access history"
assert_eq 0 "$(wc -l <"$T/m-acc.jsonl" | tr -d ' ')" "testyard's gate events a harbour manager sees"
VIGIL_TOKEN=$MT vx export events --format jsonl -o "$T/m-ev.jsonl"
expect_rc 0 "manager exports events"
assert_eq "harbour" "$(jq -r .site "$T/m-ev.jsonl" | sort -u)" "sites of a manager's events"
VIGIL_TOKEN=$MT vx export access-history --site testyard -o "$T/m2.csv"
expect_rc 77 "manager exports another site"
VIGIL_TOKEN=$MT vx export audit -o "$T/m.csv"
expect_rc 77 "manager exports the audit"

# Statuses.
VIGIL_TOKEN=0123456789abcdef vx export alarms
expect_rc 77 "a refused token"
vx export alarms --site nosuchsite
expect_rc 65 "an unknown site"
vx export things
expect_rc 64 "an unknown kind"
vx export alarms --format xml
expect_rc 64 "an unknown format"
vx export alarms --after ten
expect_rc 64 "a bad --after"
vx export alarms extra words
expect_rc 64 "extra arguments"
vx export alarms -o "$T/no/such/dir/file.csv"
expect_rc 73 "an output file that cannot be created"
VIGIL_URL=http://127.0.0.1:1 vx export alarms
expect_rc 69 "a server that is not there"
no_escapes "$T/out" "messages"

# An export cut short by the server: what was written stays, and the
# message says where to continue.
python3 - "$T/fake.port" >"$T/fake.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(1)
open(sys.argv[1] + '.tmp', 'w').write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])
c, _ = s.accept()
c.recv(65536)
body = b'{"id":7,"site":"x"}\n{"id":9,"site":"y"}\n'
c.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n'
          b'Transfer-Encoding: chunked\r\n\r\n' + b'%x\r\n' % len(body) + body + b'\r\n')
c.close()
PY
FAKE=$!
PIDS="$PIDS $FAKE"
wait_until 10 test -s "$T/fake.port" || fail "the fake server did not start"
VIGIL_URL=http://127.0.0.1:$(cat "$T/fake.port") vx export events --format jsonl -o "$T/cut.jsonl"
expect_rc 69 "an export cut short"
assert_contains "$OUT" "--after 9" "the message says how to continue"
assert_eq 2 "$(wc -l <"$T/cut.jsonl" | tr -d ' ')" "rows kept from a cut export"
no_escapes "$T/out" "the cut export's message"
exit 0
