#!/bin/sh
# run.sh - run one libFuzzer target (built by `make fuzz` into fuzz-bin/)
# from the build directory:  tests/fuzz/run.sh TARGET [LIBFUZZER-OPTION...]
# e.g.  run.sh h5 -max_total_time=60   or   run.sh parse -runs=1000000
# (FUZZ_BIN and FUZZ_WORK override the directories fuzz-bin and fuzz-work)
# The committed corpus (SRCDIR/tests/fuzz/TARGET) seeds a working corpus in
# fuzz-work/TARGET/corpus, which grows; crashes, leaks, timeouts and
# out-of-memory inputs are written to fuzz-work/TARGET/ (copy one into
# tests/fuzz/TARGET/ as crash-NAME once it is fixed).  The last lines of
# the log are printed; the exit status is libFuzzer's (0: nothing found).
set -u
t=${1:?usage: run.sh TARGET [LIBFUZZER-OPTION...]}
shift
src=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BIN:-fuzz-bin}/$t
[ -x "$bin" ] || { echo "run.sh: $bin missing: run make fuzz first"; exit 2; }
work=${FUZZ_WORK:-fuzz-work}/$t
mkdir -p "$work/corpus" || exit 2
cp "$src/$t"/* "$work/corpus/" 2>/dev/null
# h5struct's files are valid HDF5: its loads are not rehearsed in a child
# (h5-rehearse.c), so the fuzzer sees a crash in rnr where it happens.
# h5's corrupt files crash and hang HDF5 itself: rehearsed, with 5 s for
# the child, so a finding is rnr's (override with RNR_H5_REHEARSAL=off).
# HDF5 files are bigger than command lines;
# 20 s per input catches a hang; a 2 GiB allocation is a hostile file that
# was trusted; a huge malloc HDF5 makes for a corrupt header returns NULL,
# as it does outside ASan.
max_len=256 rehearsal=off
[ "$t" = h5 ] && max_len=16384 rehearsal=5
[ "$t" = npy ] && max_len=4096 # an .npz of a few arrays
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} LSAN_OPTIONS=suppressions=$src/lsan.supp \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
RNR_THREADS=1 TMPDIR=${TMPDIR:-/tmp} RNR_H5_REHEARSAL=${RNR_H5_REHEARSAL:-$rehearsal} \
	"$bin" -max_len=$max_len -timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2048 \
	-artifact_prefix="$work/" -print_final_stats=1 "$@" "$work/corpus" >"$work/log" 2>&1
st=$?
grep -E '^(#[0-9]+.*(DONE|INITED)|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$work/log" | tail -15
exit $st
