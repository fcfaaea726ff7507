#!/bin/sh
# Does a positive MLP bias init (no dead ReLU units at the start) help?  On the
# validation split only; then, as chosen on validation, on test (method-bias-test.rnr).
# usage (from the top of the source tree): [RNR=path] bench/method-bias.sh [test]
set -e
R=${RNR:-./rnr}
mkdir -p bench/logs
gcc -O2 -I/usr/include/hdf5/serial bench/mlp-bias.c -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -o bench/mlp-bias
gcc -O2 -I/usr/include/hdf5/serial bench/mlp-dead.c -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lm -o bench/mlp-dead
"$R" -n bench/method-bias-init.rnr
bench/mlp-bias /tmp/rnr-bias-init.h5 0.1 b1 b2 b3
if [ "$1" = test ]; then
	"$R" -n bench/method-bias-test.rnr > bench/logs/method-bias-test.log 2>&1
	sed -n '/^train -> test/,$p' bench/logs/method-bias-test.log
else
	"$R" -n bench/method-bias-val.rnr > bench/logs/method-bias-val.log 2>&1
	sed -n '/^train -> test/,$p' bench/logs/method-bias-val.log
	bench/mlp-dead /tmp/rnr-bias-trained.h5 b1 bl1 tr simclr barlow rotnet dae
fi
