#!/bin/sh
# The KEYS section of vigil(1) lists every action of the key table with
# exactly the keys "vigil keys" prints, and no action the table lacks, so
# that the manual cannot drift from the keys the console really takes.
#
# The manual is read as mandoc renders it: each action is a list item
# "KEY, KEY (action)" (mdoc: .It Ic KEY , KEY Pq Cm action).
. "$(dirname "$0")/lib.sh"
MAN=$VIGIL_TOP/man/vigil.1
[ -x "$VIGIL_BIN/vigil" ] || fail "no vigil in $VIGIL_BIN (run make first)"
[ -f "$MAN" ] || fail "no manual page $MAN"
command -v mandoc >/dev/null 2>&1 || fail "mandoc is not installed (contrib/deps.sh)"

# The key table as "vigil keys" prints it: name, keys, a tab, the help.
# It must not depend on anyone's config file.
table=$(env XDG_CONFIG_HOME=/nonexistent HOME=/nonexistent "$VIGIL_BIN/vigil" keys) ||
	fail "vigil keys failed"
[ -n "$table" ] || fail "vigil keys printed nothing"
# One "name key key..." line per action.
actions=$(printf '%s\n' "$table" | awk -F '\t' 'NF >= 2 { print $1 }' |
	awk '{ $1 = $1; print }')
[ "$(printf '%s\n' "$actions" | wc -l)" -ge 10 ] ||
	fail "vigil keys printed fewer than 10 actions: $table"

# The KEYS section as rendered, overstrikes removed, lines not wrapped.
bs=$(printf '\b')
keys_section=$(mandoc -T ascii -O width=400 "$MAN" | sed "s/.$bs//g" |
	awk '/^KEYS$/ { on = 1; next } on && /^[A-Z]/ { exit } on')
[ -n "$keys_section" ] || fail "man/vigil.1 has no KEYS section"

# Its items naming an action: "name key key..." per item.
items=$(printf '%s\n' "$keys_section" | awk '
	/^     [^ ].* \([a-z][a-z-]*\)$/ {
		line = substr($0, 6)
		open = length(line)
		while (substr(line, open, 1) != "(")
			open--
		name = substr(line, open + 1, length(line) - open - 1)
		keys = substr(line, 1, open - 2)
		gsub(/, /, " ", keys)
		print name " " keys
	}')
[ -n "$items" ] || fail "the KEYS section of man/vigil.1 has no item of the form \"KEY, KEY (action)\""

# Sort the words after the first of a "name key..." line.
sorted_keys() {
	printf '%s\n' "$1" | awk '{ for (i = 2; i <= NF; i++) print $i }' | sort |
		tr '\n' ' ' | sed 's/ $//'
}

errors=""
IFS_SAVE=$IFS
IFS='
'
for a in $actions; do
	name=${a%% *}
	want=$(sorted_keys "$a")
	[ -n "$want" ] || fail "vigil keys gives \"$name\" no key: $a"
	found=0
	for it in $items; do
		[ "${it%% *}" = "$name" ] || continue
		found=1
		got=$(sorted_keys "$it")
		[ "$got" = "$want" ] || errors="$errors
man/vigil.1 KEYS lists \"$name\" with the keys \"$got\" but vigil keys says \"$want\""
	done
	[ "$found" -eq 1 ] || errors="$errors
man/vigil.1 KEYS does not list the action \"$name\" (vigil keys: \"$want\")"
done
for it in $items; do
	name=${it%% *}
	known=0
	for a in $actions; do
		[ "${a%% *}" = "$name" ] && known=1
	done
	[ "$known" -eq 1 ] || errors="$errors
man/vigil.1 KEYS lists an action \"$name\" that vigil keys does not know"
done
IFS=$IFS_SAVE
[ -z "$errors" ] || fail "the manual and the key table differ:$errors"
note "$(printf '%s\n' "$actions" | wc -l | tr -d ' ') actions, $(printf '%s\n' "$items" | wc -l | tr -d ' ') items in KEYS agree"
