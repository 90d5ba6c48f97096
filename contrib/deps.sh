#!/bin/sh
# deps.sh: install the Debian packages vigil's build, tests and benchmarks need.
#
#   contrib/deps.sh              install (idempotent)
#   contrib/deps.sh --if-missing install only when something is missing
#
# Uses sudo when not run as root.
set -eu

PACKAGES="pkg-config make gcc libc6-dev
libuv1-dev libwebsockets-dev libwebsockets-evlib-uv libcurl4-openssl-dev
libjansson-dev libsqlite3-dev sqlite3 libsodium-dev libinih-dev
libncurses-dev libcmocka-dev
tmux screen curl jq procps mosquitto mosquitto-clients mandoc openssl
openssh-server openssh-client
clang libclang-rt-14-dev"

PC_MODULES="libuv libwebsockets libcurl jansson sqlite3 libsodium inih cmocka"
TOOLS="pkg-config tmux screen ssh sshd curl jq sqlite3 mosquitto mosquitto_sub pgrep mandoc openssl"

missing() {
	for t in $TOOLS; do
		command -v "$t" >/dev/null 2>&1 || { echo "$t"; return 0; }
	done
	for m in $PC_MODULES; do
		pkg-config --exists "$m" 2>/dev/null || { echo "$m"; return 0; }
	done
	pkg-config --exists ncursesw 2>/dev/null || pkg-config --exists ncurses 2>/dev/null ||
		{ echo ncurses; return 0; }
	[ -e /usr/lib/x86_64-linux-gnu/libwebsockets-evlib_uv.so ] ||
		ls /usr/lib/*/libwebsockets-evlib_uv.so >/dev/null 2>&1 ||
		{ echo libwebsockets-evlib-uv; return 0; }
	return 0
}

if [ "${1:-}" = "--if-missing" ]; then
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "deps.sh: $m is missing; installing the build dependencies" >&2
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "deps.sh: not root and no sudo; install as root: $PACKAGES" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $PACKAGES >&2; then
	$SUDO apt-get update -q >&2
	$SUDO apt-get install -y -q --no-install-recommends $PACKAGES >&2
fi
