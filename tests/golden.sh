#!/bin/sh
# Golden transcripts: each tests/golden/NAME.rnr is run by rnr from the top
# source directory (so paths like data/... work); its stdout and stderr,
# merged, must equal NAME.out, and its exit status the number in NAME.status
# (0 when absent).  Extra rnr options go in a first line "#! OPTIONS".
# A known bug: NAME.out holds the right output and NAME.todo one line naming
# the bug; the transcript then reports "# TODO" (an expected failure) until
# the fix makes it pass, which the harness reports as XPASS: delete NAME.todo.
# Regenerate a transcript after a deliberate change with
#   RNR_GOLDEN_UPDATE=1 make check TESTS=tests/golden.sh
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
cd "$top_srcdir" || exit 1
n=0 failed=0
for script in tests/golden/*.rnr; do
	name=${script%.rnr}
	n=$((n + 1))
	opts=$(sed -n '1s/^#! *//p' "$script")
	# shellcheck disable=SC2086
	actual=$("$RNR" -n $opts "$script" 2>&1; echo "status $?")
	want_status=$(cat "$name.status" 2>/dev/null || echo 0)
	expected=$(cat "$name.out" 2>/dev/null; echo "status $want_status")
	todo=
	[ -f "$name.todo" ] && todo=" # TODO $(head -n 1 "$name.todo")"
	if [ "${RNR_GOLDEN_UPDATE:-}" = 1 ] && [ -n "$todo" ]; then
		echo "# $name.todo exists: $name.out (the right output) is kept"
	elif [ "${RNR_GOLDEN_UPDATE:-}" = 1 ]; then
		printf '%s\n' "$actual" | sed '$d' >"$name.out"
		echo "${actual##*status }" >"$name.status"
		expected=$actual
	fi
	if [ "$actual" = "$expected" ]; then
		echo "ok $n - $name$todo"
	else
		echo "not ok $n - $name$todo"
		printf '%s\n' "$expected" >"${TMPDIR:-/tmp}/golden.expected.$$"
		printf '%s\n' "$actual" | diff -u "${TMPDIR:-/tmp}/golden.expected.$$" - | sed 's/^/# /'
		rm -f "${TMPDIR:-/tmp}/golden.expected.$$"
		[ -n "$todo" ] || failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
