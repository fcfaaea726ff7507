#!/bin/sh
# replay.sh - every committed fuzz input (tests/fuzz/TARGET/*: the seed
# corpus and each crash found, kept as a regression input) through a plain
# build of the target (tests/fuzz/replay-TARGET).  One TAP test per target:
# it fails when the target crashes, aborts or exits non-zero; the last
# "replay FILE" line in the log names the input at fault.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
n=0 failed=0
# under AddressSanitizer (the sanitizer build): HDF5's own leaks are known
LSAN_OPTIONS=suppressions=$top_srcdir/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export LSAN_OPTIONS
for t in parse args session h5 h5struct; do
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
echo "1..$n"
[ "$failed" = 0 ]
