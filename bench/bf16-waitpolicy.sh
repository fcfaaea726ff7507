#!/bin/sh
# bf16-waitpolicy.sh - a bf16 step whose models do not split evenly over
# the threads (3 models on 2 threads: one model at a time, on oneDNN's
# OpenMP threads), with libgomp's default wait policy and with
# OMP_WAIT_POLICY=passive, beside the fp32 step (doc/bf16.md).
#
# Synthetic cache (python3 with h5py and numpy): 3 models of 2048 dims,
# 8,192 train rows of u^4, u uniform.  Each run: depth-2 MLPs, 1 warmup
# epoch then 2 joint epochs of 32 steps; the joint epochs' seconds are
# printed, REPS runs per setting, interleaved.
#
# usage (from the top of the source tree):
#   [RNR=build/rnr] [REPS=2] [THREADS=2] bench/bf16-waitpolicy.sh
set -u
RNR=${RNR:-build/rnr}
REPS=${REPS:-2}
THREADS=${THREADS:-2}
PY=${PYTHON3:-/usr/bin/python3}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$tmp/m3.h5" <<'PYEOF' || { echo "bf16-waitpolicy.sh: needs python3-h5py" >&2; exit 1; }
import sys, h5py, numpy as np
rng = np.random.default_rng(0)
with h5py.File(sys.argv[1], "w") as f:
    for split, rows in (("train", 8192), ("test", 1024)):
        for m in ("a", "b", "c"):
            f[f"{split}/features/{m}"] = rng.random((rows, 2048), dtype=np.float32) ** 4
        f[f"{split}/labels"] = rng.integers(0, 10, rows)
PYEOF

run() { # run PRECISION [ENV=VALUE]: the joint epochs' seconds
	env ${2:+"$2"} RNR_THREADS="$THREADS" "$RNR" -n -c "set precision $1
load $tmp/m3.h5 as s
mlp s.train depth=2 seed=1 as dec
train dec s.train bank=psi seed=1 warmup=1 epochs=3" 2>&1 |
		awk '/^train psi: epoch [23]\/3 loss/ { printf " %s", $NF }'
}
echo "# bf16-waitpolicy $(date -u '+%Y-%m-%d %H:%M UTC'); 3 models x 2048, 8192 rows; threads $THREADS"
echo "# joint epoch seconds (32 steps), per run"
for r in $(seq "$REPS"); do
	echo "fp32                        $(run fp32)"
	echo "bf16                        $(run bf16)"
	echo "bf16 OMP_WAIT_POLICY=passive$(run bf16 OMP_WAIT_POLICY=passive)"
done
