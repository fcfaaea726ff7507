#!/bin/sh
# valgrind.sh - `make check-valgrind`: rnr under valgrind memcheck, 0 errors
# and 0 bytes definitely lost in (1) a shortened demo session
# (tests/valgrind.rnr) and (2) with h5py, one session loading or sourcing
# every file of the corpus (tests/corpus/make-corpus.py), so the error path
# of each refusal is checked for leaks and bad reads too.  Prints each run's
# summary; exits 1 on any error or leak.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "check-valgrind: valgrind is not installed (Debian: valgrind)"
	exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/tap.sh"

memcheck() { # memcheck NAME SESSION: rnr -n SESSION under memcheck, exit 1 expected
	valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--log-file="$tmp/$1.log" "$RNR" -n "$2" >"$tmp/$1.out" 2>&1
	st=$?
	echo "# $1:"
	grep -E 'ERROR SUMMARY|definitely lost|still reachable' "$tmp/$1.log" | sed 's/^==[0-9]*==/#  /'
	if [ "$st" = 1 ]; then
		ok 0 "$1: no memcheck error, no block definitely lost"
	else
		ok 1 "$1: no memcheck error, no block definitely lost (exit status $st; 99: memcheck)"
		sed 's/^/#   | /' "$tmp/$1.log"
		tail -20 "$tmp/$1.out" | sed 's/^/#   > /'
	fi
}

sed "s|@DATA@|$top_srcdir/data|g; s|@TMP@|$tmp|g" "$top_srcdir/tests/valgrind.rnr" >"$tmp/demo.rnr"
memcheck demo "$tmp/demo.rnr"

if py=$(h5py_python) && "$py" "$top_srcdir/tests/corpus/make-corpus.py" "$tmp/corpus"; then
	{
		echo "load $tmp/corpus/good.h5 as good"
		i=0
		for f in "$tmp"/corpus/*.h5 "$tmp"/corpus/*.npy; do
			i=$((i + 1))
			echo "load $f as x$i"
		done
		echo "load $tmp/corpus/bank-terabytes.h5"
		echo "load $tmp/corpus/unknown-type.h5"
		for f in "$tmp"/corpus/*.rnr; do
			echo "source $f"
		done
		echo "list"
	} >"$tmp/corpus.rnr"
	memcheck corpus "$tmp/corpus.rnr"
else
	echo "ok $((n + 1)) # SKIP no python3 with h5py to write the corpus"
	n=$((n + 1))
fi
echo "1..$n"
[ "$failed" = 0 ] && echo "check-valgrind: PASS" || echo "check-valgrind: FAIL"
[ "$failed" = 0 ]
