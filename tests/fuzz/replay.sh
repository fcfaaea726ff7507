#!/bin/sh
# replay.sh - every committed fuzz input (tests/fuzz/TARGET/*: the seed
# corpus and each crash found, kept as a regression input) through a plain
# build of the target (tests/fuzz/replay-TARGET).  One TAP test per target:
# it fails when the target crashes, aborts or exits non-zero; the last
# "replay FILE" line in the log names the input at fault.  Then the files
# that make HDF5 hang, through rnr (a TODO).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
n=0 failed=0
# under AddressSanitizer (the sanitizer build): HDF5's own leaks are known
LSAN_OPTIONS=suppressions=$top_srcdir/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export LSAN_OPTIONS
for t in parse args session h5 h5struct npy pattern; do
	n=$((n + 1))
	out=$("$top_builddir/tests/fuzz/replay-$t" "$top_srcdir/tests/fuzz/$t" 2>&1)
	st=$?
	count=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) inputs replayed$/\1/p')
	if [ "$st" = 0 ] && [ "${count:-0}" -gt 0 ]; then
		echo "ok $n - fuzz target $t: $count inputs replayed"
	else
		echo "not ok $n - fuzz target $t: exit status $st, ${count:-no} inputs replayed"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
# Files on which HDF5 1.10 loops for ever (tests/fuzz/h5-hangs): the
# rehearsal child loops too, and is stopped at its time limit (5 s for a
# small file): each is an error naming the hang, exit status 1.
: "${RNR:=$top_builddir/rnr}"
n=$((n + 1))
bad=
for f in "$top_srcdir"/tests/fuzz/h5-hangs/*; do
	msg=$(timeout -k 2 20 "$RNR" -n -c "load $f" 2>&1 >/dev/null)
	st=$?
	case $st:$msg in
	1:*"did not finish reading it in 5 s"*) ;;
	*) bad="$bad ${f##*/}:$st" ;;
	esac
done
if [ -z "$bad" ]; then
	echo "ok $n - files that make HDF5 loop are refused after the rehearsal's 5 s"
else
	echo "not ok $n - files that make HDF5 loop are refused after the rehearsal's 5 s"
	echo "# exit status (124: still running after 20 s):$bad"
	failed=$((failed + 1))
fi
echo "1..$n"
[ "$failed" = 0 ]
