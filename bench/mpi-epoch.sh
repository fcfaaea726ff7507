#!/bin/sh
# mpi-epoch.sh - the epoch time of data-parallel training at P ranks
# (bench/README, "MPI"): a synthetic cache of N rows x 4 models x D dims
# (seeded Gaussian, made with h5py), `train` with depth-2 MLPs, warmup 1 of
# 3 epochs, one thread a rank; prints the mean of the joint epochs' times
# (epochs 2 and 3) at P = 1 (no mpirun), 2 and 4 (oversubscribed on a
# 2-core machine), and at P = 1 with 2 threads for comparison.
#   bench/mpi-epoch.sh BUILD-DIR [N] [D]      (BUILD-DIR: a --with-mpi build)
set -eu
build=$1 n=${2:-16384} d=${3:-512}
rnr=$build/rnr
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/syn.h5" "$n" "$d" <<'EOT'
import sys, h5py, numpy as np
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(1)
with h5py.File(path, "w") as f:
    for m in ("a", "b", "c", "d"):
        f["train/features/" + m] = rng.standard_normal((n, d), dtype=np.float32)
    f["train/labels"] = (np.arange(n) % 10).astype(np.int64)
EOT
cat >"$tmp/s.rnr" <<EOT
load $tmp/syn.h5 as syn
mlp syn.train depth=2 seed=1 as dec
train dec syn.train epochs=3 warmup=1 seed=1
EOT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
epoch_mean() { sed -n 's/^train psi: epoch [23]\/3 .* \([0-9.]*\)s$/\1/p' | awk '{s+=$1} END {printf "%.3f", s/NR}'; }
echo "shape: $n rows x 4 models x $d dims, batch 256, $(nproc) cores"
t=$(RNR_THREADS=1 "$rnr" -n "$tmp/s.rnr" | epoch_mean); echo "P=1 (1 thread):   $t s/epoch"
t=$(RNR_THREADS=2 "$rnr" -n "$tmp/s.rnr" | epoch_mean); echo "P=1 (2 threads):  $t s/epoch"
for p in 2 4; do
	t=$(mpirun -np $p -x RNR_THREADS=1 "$rnr" -n "$tmp/s.rnr" | epoch_mean)
	echo "P=$p (1 thread each): $t s/epoch"
done
