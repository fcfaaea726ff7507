#!/bin/sh
# valgrind.sh - `make check-valgrind`: rnr under valgrind memcheck, 0 errors
# and 0 bytes definitely lost in (1) a shortened demo session
# (tests/valgrind.rnr) and (2) with h5py, one session loading or sourcing
# every file of the corpus (tests/corpus/make-corpus.py), so the error path
# of each refusal is checked for leaks and bad reads too, and (3) one
# restoring each broken workspace file of the corpus, then a sound one.  Prints each run's
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
	# a load's rehearsal child (h5-rehearse.c) runs under memcheck too: an
	# error or leak there gives it status 99 and fails the load, not rnr
	if grep -q 'exit status 99' "$tmp/$1.out"; then
		st=99
		grep 'exit status 99' "$tmp/$1.out" | head -3 | sed 's/^/#   > /'
	fi
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
	# the broken workspace files (a checkpoint made outside valgrind), then
	# the sound one restored and continued
	c=$tmp/corpus
	if "$RNR" -n -c "load $c/good.h5 as good; mlp good.train seed=1 as m
train m good.train epochs=3 batch=4 checkpoint=$c/ck.h5 every=2" >/dev/null 2>&1 &&
		"$py" "$top_srcdir/tests/corpus/make-corpus.py" "$c" --workspace "$c/ck.h5"; then
		{
			echo "load $c/good.h5 as good"
			for f in "$c"/ws-*.h5; do
				echo "restore $f"
			done
			echo "restore $c/ck.h5"
			echo "continue"
			echo "list"
		} >"$tmp/workspace.rnr"
		memcheck workspace "$tmp/workspace.rnr"
	else
		ok 1 "workspace: a checkpoint and its broken copies to restore"
	fi
else
	echo "ok $((n + 1)) # SKIP no python3 with h5py to write the corpus"
	n=$((n + 1))
fi
echo "1..$n"
[ "$failed" = 0 ] && echo "check-valgrind: PASS" || echo "check-valgrind: FAIL"
[ "$failed" = 0 ]
