#!/bin/sh
# Every manual page is valid mdoc: mandoc's linter finds no warning or error.
. "$(dirname "$0")/lib.sh"
cd "$VIGIL_TOP" || exit 1
out=$(mandoc -T lint -W warning man/*.[1-8] 2>&1)
# References to pages of other packages are not ours to fix.
out=$(printf '%s\n' "$out" | grep -v 'referenced manual not found' | grep -v '^$')
[ -z "$out" ] || fail "mandoc: $out"
for m in man/*.[1-8]; do
	mandoc -T utf8 "$m" >/dev/null 2>&1 || fail "mandoc cannot render $m"
done
