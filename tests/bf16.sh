#!/bin/sh
# bf16.sh - `set precision`: its errors, the portable fallback kernel
# (RNR_BF16=fallback), the own kernel beside oneDNN (RNR_BF16=own), and BF16 training against FP32 on the same seed.
# Tolerance (stated): on the demo cache, same seed, the k-NN accuracy of
# the learned test bank (psi -> psi_te, weighted vote) in bf16 is within
# 1.5 points of fp32 (1,000 test rows: one row is 0.1 point, and one seed's
# fp32 run already moves by up to a point between thread counts).
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: "${RNR:=./rnr}" "${top_srcdir:=.}"
. "$top_srcdir/tests/tap.sh"
out=$("$RNR" -n -c 'set precision half' 2>&1)
has "an unknown precision is refused" "neither fp32 nor bf16" - <<EOF2
$out
EOF2
out=$(RNR_BF16=off "$RNR" -n -c 'set precision bf16; get precision' 2>&1)
has "bf16 on a CPU without avx512_bf16 is refused" "needs a CPU with avx512_bf16" - <<EOF2
$out
EOF2
has "and the setting stays fp32" "^fp32$" - <<EOF2
$out
EOF2
RNR_BF16=fallback ./tests/test-bf16 >"$tmp/fb.tap" 2>&1
ok $? "the portable fallback kernel passes test-bf16's bounds"
has "test-bf16 ran the portable kernel" "kernel: portable" "$tmp/fb.tap"
# with oneDNN built in, RNR_BF16=own still runs (and tests) the own kernel
./tests/test-bf16 >"$tmp/default.tap" 2>&1
if grep -q "kernel: onednn" "$tmp/default.tap"; then
	RNR_BF16=own ./tests/test-bf16 >"$tmp/own.tap" 2>&1
	ok $? "the own avx512-bf16 kernel passes test-bf16's bounds (RNR_BF16=own)"
	has "test-bf16 ran the own kernel" "kernel: avx512-bf16" "$tmp/own.tap"
else
	ok 0 "RNR_BF16=own: oneDNN not built in or not usable here" "SKIP"
fi
out=$(RNR_BF16=fallback "$RNR" -n -c "set precision bf16
load $top_srcdir/data/fmnist-demo.h5 as fm
mlp fm.train depth=1 seed=1 as dec
train dec fm.train bank=psi seed=1 warmup=1 epochs=1" 2>&1)
has "a bf16 job's closing line names the kernel" "^done: psi .*steps/s, bf16 GEMMs: portable\)$" - <<EOF2
$out
EOF2
run() {
	RNR_THREADS=2 "$RNR" -n -c "set progress off; set precision $1
load $top_srcdir/data/fmnist-demo.h5 as fm
mlp fm.train depth=2 seed=1 as dec
train dec fm.train bank=psi seed=1 warmup=5 epochs=10
infer dec fm.test as psi_te seed=1 epochs=10
compare psi/psi_te as r" 2>&1 | awk '/psi -> psi_te/ { print $NF }'
}
f=$(run fp32) b=$(run bf16)
echo "# weighted k-NN accuracy: fp32 $f, bf16 $b"
awk -v f="$f" -v b="$b" 'BEGIN { d = f - b; exit !(f != "" && b != "" && d <= 1.5 && d >= -1.5) }'
ok $? "bf16 training is within 1.5 points of fp32 (fp32 $f, bf16 $b)"
echo "1..$n"
[ "$failed" = 0 ]
