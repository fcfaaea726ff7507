#!/bin/sh
# Run one bench command file in a fresh rnr under /usr/bin/time -v and log it.
# usage (from the top of the source tree):
#   bench/run-timed.sh THREADS TAG FILE.rnr...     -> bench/logs/TAG-tTHREADS.log
# RNR=path picks another binary (default ./rnr).
# The files run after bench/method/load.rnr and `set threads THREADS`; the log ends
# with rnr's "done:" lines, the wall time and the peak RSS of the whole process.
set -e
t=$1; tag=$2; shift 2
mkdir -p bench/logs
log=bench/logs/$tag-t$t.log
/usr/bin/time -v "${RNR:-./rnr}" -n --bail -c "set threads $t" bench/method/load.rnr "$@" >"$log" 2>&1
grep -E '^done:|Elapsed \(wall|Maximum resident' "$log" | sed "s|^|$tag t=$t: |"
