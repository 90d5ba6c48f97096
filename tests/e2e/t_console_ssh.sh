#!/bin/sh
# A supervisor opens the console over SSH: a private sshd on a free
# loopback port (keys made for the test), `ssh -t` from inside tmux; the
# dashboard is drawn and acts on keys through the SSH terminal, and leaving
# restores it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui.sh"
setup
test_timeout 90
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || fail "no sshd (contrib/deps.sh installs openssh-server)"
site_import "$VIGIL_TOP/tests/e2e/data/small.site"
printf 'super-pw-1\n' | user_add sue supervisor
vigild_start
TOKEN=$(login sue super-pw-1)

# The sshd: host and user keys of its own, this user only, no password.
mkdir -p "$T/ssh" /run/sshd 2>/dev/null
chmod 700 "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" || fail "ssh-keygen (host)"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user" || fail "ssh-keygen (user)"
cp "$T/ssh/user.pub" "$T/ssh/authorized_keys"
cat >"$T/ssh/sshd_config.in" <<EOS
ListenAddress 127.0.0.1
Port @PORT@
HostKey $T/ssh/host
AuthorizedKeysFile $T/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $T/ssh/sshd.pid
EOS
ssh_up() {
	ssh -n -p "$SSHPORT" -i "$T/ssh/user" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
		127.0.0.1 true 2>/dev/null
}
# No fixed port: try random high ports until sshd holds one.
for try in 1 2 3 4 5 6 7 8; do
	SSHPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
	sed "s/@PORT@/$SSHPORT/" "$T/ssh/sshd_config.in" >"$T/ssh/sshd_config"
	spawn "$SSHD" -D -e -f "$T/ssh/sshd_config" >"$T/ssh/sshd.log" 2>&1
	SSHD_PID=$LAST_PID
	wait_until 10 ssh_up && break
	kill "$SSHD_PID" 2>/dev/null
	SSHPORT=
done
[ -n "$SSHPORT" ] || fail "sshd does not answer: $(tail -5 "$T/ssh/sshd.log")"

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ID=$(curl -s -u gw-test-a:test-gateway-a-secret-0123456789 --data-binary \
	"{\"events\":[{\"id\":\"ssh1\",\"point\":\"a-door\",\"type\":\"forced\",\"ts\":\"$NOW\"}]}" \
	"$URL/api/v1/ingest" | jq -r '.results[0].alarm')

# The remote side gets its server and token in the environment, as a
# supervisor's login on the control-room host would have them.
TMUX_SOCK=$T/tmux.sock
tui_tmux new-session -d -s s -x 100 -y 30 \
	"env TERM=screen-256color LANG=C.UTF-8 ssh -t -p $SSHPORT -i $T/ssh/user \
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
	127.0.0.1 env LANG=C.UTF-8 XDG_STATE_HOME=$T/remote XDG_CONFIG_HOME=$T/remote \
	VIGIL_URL=$URL VIGIL_TOKEN=$TOKEN $VIGIL_BIN/vigil; echo ssh exited \$?; sleep 60" ||
	fail "tmux did not start"
tui_wait s 20 'LIVE'
tui_wait s 5 'A block door'
tui_keys s a
tui_wait s 5 'forced .* ack( |$)'
assert_eq "acknowledged sue" "$(api GET "/api/v1/alarms/$ID" | jq -r '.alarm | "\(.state) \(.acked_by)"')" \
	"the alarm after a over SSH"
tui_keys s q
tui_wait s 10 'ssh exited 0'
vigild_stop
