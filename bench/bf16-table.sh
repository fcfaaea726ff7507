#!/bin/sh
# bf16-table.sh - the k-NN accuracy of the learned bank at fp32 and at bf16,
# same seeds, side by side (doc/bf16.md, "Accuracy on the 12k data").
#
# The paper's method on the shared 12k Fashion-MNIST features
# (../shared/data/fmnist-ssl-12k.h5: 10,000 train / 2,000 test rows, models
# simclr barlow rotnet dae, 128-d), rnr's defaults as in
# bench/method/ens-lazy.rnr: depth-2 width-d MLPs (seed S), train 50 epochs
# (25 warmup) batch 256 lr 3e-4 adam=lazy (shuffle seed S), infer 50 epochs
# on the test split, k-NN k=20 (majority and weighted, T 0.07) of the
# learned test bank against the learned train bank.  Each run is its own
# rnr process, one at a time (the machine's cores go to that run).
#
# usage (from the top of the source tree):
#   [RNR=build/rnr] [SEEDS="1 2 3"] [THREADS=2] [DATA=FILE] [KERNEL=label] \
#       bench/bf16-table.sh
# KERNEL labels the bf16 kernel in the header (default: the kernel a bf16
# job's closing line names, from a one-epoch run).
# Exit status 1 if a run fails or prints no table row.
set -u
RNR=${RNR:-build/rnr}
SEEDS=${SEEDS:-1 2 3}
THREADS=${THREADS:-2}
DATA=${DATA:-../shared/data/fmnist-ssl-12k.h5}
[ -r "$DATA" ] || { echo "bf16-table.sh: $DATA: not readable" >&2; exit 1; }
if [ -z "${KERNEL:-}" ]; then
	KERNEL=$("$RNR" -n -c "set precision bf16; set threads $THREADS
load $DATA as fm
mlp fm.train depth=1 seed=1 as dec
train dec fm.train bank=psi warmup=1 epochs=1" 2>&1 | sed -n 's/^done: .*bf16 GEMMs: \(.*\))$/\1/p')
	[ -n "$KERNEL" ] || { echo "bf16-table.sh: $RNR has no bf16 kernel here" >&2; exit 1; }
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# one run: prints "majority weighted seconds"
run() { # run PRECISION SEED
	t0=$(date +%s.%N)
	"$RNR" -n -c "set progress off; set bail on; set threads $THREADS; set precision $1
load $DATA as fm
mlp fm.train depth=2 seed=$2 as dec
train dec fm.train bank=psi epochs=50 warmup=25 batch=256 lr=3e-4 adam=lazy seed=$2
infer dec fm.test as psi_te epochs=50 batch=256 lr=3e-4 adam=lazy seed=$2
compare psi/psi_te k=20" >"$tmp/run.out" 2>&1 || {
		echo "bf16-table.sh: the $1 run of seed $2 failed:" >&2
		sed 's/^/  /' "$tmp/run.out" >&2
		return 1
	}
	t1=$(date +%s.%N)
	awk -v t0="$t0" -v t1="$t1" '/^psi -> psi_te / { print $(NF - 1), $NF, t1 - t0; found = 1 }
		END { exit !found }' "$tmp/run.out"
}

echo "# bf16-table $(date -u '+%Y-%m-%d %H:%M UTC'); $DATA; threads $THREADS; bf16 kernel: $KERNEL"
echo "# k-NN top-1 (%) of psi_te against psi, k=20; diff = bf16 - fp32 in points"
printf '%-6s %9s %9s %7s   %9s %9s %7s   %8s %8s\n' seed "fp32 maj" "bf16 maj" diff \
	"fp32 wtd" "bf16 wtd" diff "fp32 s" "bf16 s"
: >"$tmp/rows"
for s in $SEEDS; do
	f=$(run fp32 "$s") || exit 1
	b=$(run bf16 "$s") || exit 1
	echo "$s $f $b" >>"$tmp/rows"
	echo "$s $f $b" | awk '{ printf "%-6s %9.2f %9.2f %+7.2f   %9.2f %9.2f %+7.2f   %8.1f %8.1f\n",
		$1, $2, $5, $5 - $2, $3, $6, $6 - $3, $4, $7 }'
done
awk '{ for (i = 2; i <= 7; i++) s[i] += $i; n++ }
	END { printf "%-6s %9.2f %9.2f %+7.2f   %9.2f %9.2f %+7.2f   %8.1f %8.1f\n", "mean",
		s[2] / n, s[5] / n, (s[5] - s[2]) / n, s[3] / n, s[6] / n, (s[6] - s[3]) / n,
		s[4] / n, s[7] / n }' "$tmp/rows"
