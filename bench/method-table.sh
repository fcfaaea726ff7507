#!/bin/sh
# The timed runs behind bench/README-method.md: every run of the default table in
# its own rnr process (for its wall time and peak RSS), at threads 1 and 2; the two
# ensemble runs REPS times each (timings on a shared 2-core machine are noisy).
# usage (from the top of the source tree): [RNR=path] [REPS=3] bench/method-table.sh
# Logs: bench/logs/TAG-tN[-rR].log; summary lines on stdout.
set -e
REPS=${REPS:-3}
for t in 1 2; do
	bench/run-timed.sh $t base bench/method/base.rnr
	for a in dense lazy; do
		for m in simclr barlow rotnet dae; do
			bench/run-timed.sh $t single-$m-$a bench/method/single-$m-$a.rnr
		done
	done
done
r=1
while [ $r -le $REPS ]; do
	for t in 1 2; do
		for a in dense lazy; do
			bench/run-timed.sh $t ens-$a-r$r bench/method/ens-$a.rnr
		done
	done
	r=$((r + 1))
done
