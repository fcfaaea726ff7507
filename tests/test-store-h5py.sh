#!/bin/sh
# test-store-h5py.sh - a file saved by rnr, read by h5py without rnr: the
# group per object, its string attributes as Python str, the datasets'
# dtypes, shapes and values.  test-store --write makes the file (the toy
# cache split "train" of test-store.c and a bank with known values).
# Skips when no python3 here can import h5py (Debian: python3-h5py).
set -u
: "${top_builddir:=.}"

py=
for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
	if [ -n "$cand" ] && "$cand" -c 'import h5py' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	echo "1..0 # SKIP no python3-h5py"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! "$top_builddir/tests/test-store" --write "$tmp/saved.h5"; then
	echo "Bail out! tests/test-store --write failed"
	exit 1
fi

"$py" - "$tmp/saved.h5" <<'EOF'
import math
import sys

import h5py
import numpy as np

n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what))
    if not cond:
        failed += 1


f = h5py.File(sys.argv[1], "r")
ok(sorted(f.keys()) == ["psi", "toy.train"], "one group per object: %s" % sorted(f.keys()))

c = f["toy.train"]
a = c.attrs
ok(a["rnr_type"] == "cache" and isinstance(a["rnr_type"], str), "rnr_type is the str 'cache'")
ok(isinstance(a["rnr_version"], str) and a["rnr_version"] != "", "rnr_version: %r" % a["rnr_version"])
ok(a["note"] == "loaded for the h5py test", "note: %r" % a["note"])
ok(list(a["class_names"]) == ["zéro", "one", "two"], "class_names: %r" % list(a["class_names"]))
ok(a["dataset"] == "toy set" and a["feature_dim"] == "3", "dataset and feature_dim as str")

beta = c["features/beta"]
raw = np.array([[1, 1], [0, 2], [0, 0], [3, 4], [-5, 12], [7, 0]], dtype=np.float64)
norms = np.linalg.norm(raw, axis=1, keepdims=True)
want = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
ok(beta.dtype == np.float32 and beta.shape == (6, 2), "features/beta float32 (6, 2): %s %s" % (beta.dtype, beta.shape))
ok(np.abs(beta[()] - want).max() < 1e-6, "features/beta holds the normalised rows, zero row kept")
ok(c["features/alpha"].shape == (6, 3), "features/alpha (6, 3)")
ok(c["labels"].dtype == np.int64 and list(c["labels"][()]) == [0, 1, 2, 0, 1, 2], "labels int64")
ok(int(c["labels"].attrs["n_classes"]) == 3, "labels n_classes 3")

b = f["psi"]
ok(b.attrs["rnr_type"] == "bank", "psi is a bank")
psi = b["psi"][()]
vals = [np.float32(math.sin(i * 1.7) * math.pow(10.0, i % 7 - 3)) for i in range(20)]
vals[7] = np.float32(-0.0)
vals[8] = np.float32(1e-40)
want = np.array(vals, dtype=np.float32).reshape(5, 4)
ok(psi.dtype == np.float32 and psi.shape == (5, 4), "bank psi float32 (5, 4)")
err = float(np.max(np.abs(psi - want) / np.maximum(np.abs(want), 1e-30)))
ok(err <= 1e-6, "bank psi values (max rel diff %.2g)" % err)
ok(math.copysign(1.0, psi.flat[7]) < 0 and psi.flat[8] == np.float32(1e-40), "-0.0 and a subnormal kept exactly")
ok(list(b["labels"][()]) == [0, 3, 1, 1, 0] and int(b["labels"].attrs["n_classes"]) == 7, "bank labels, n_classes 7")

print("1..%d" % n)
sys.exit(1 if failed else 0)
EOF
