#!/bin/sh
# make-seeds.sh - (re)make the seed corpora of the fuzz targets in
# tests/fuzz/TARGET/: a few command lines for the parsers and the session,
# and for the HDF5 loader tiny valid caches written by h5py (layouts users
# meet: float32/float64/int features, labels or none, fixed and vlen string
# attributes, one split at the root, track_order) plus one saved rnr object
# of each type.  Crash inputs (crash-*) in those directories are kept.
# Usage: RNR=./rnr PYTHON3=/usr/bin/python3 tests/fuzz/make-seeds.sh
set -eu
: "${RNR:=./rnr}" "${PYTHON3:=/usr/bin/python3}"
dir=$(cd "$(dirname "$0")" && pwd)
case $RNR in /*) ;; *) RNR=$(pwd)/$RNR ;; esac
mkdir -p "$dir/parse" "$dir/args" "$dir/session" "$dir/h5"
rm -f "$dir"/parse/seed-* "$dir"/args/seed-* "$dir"/session/seed-* "$dir"/h5/seed-*

# command lines: every quoting form, comments, ';' and newlines
i=0
for line in 'load data/x.h5 as fm' 'echo "a b" '"'c d'"' x\"y\\z' \
	'echo a # c1
echo b; echo c' 'echo "a\n\tb\\" pre"mid"post' 'knn a b k=5,20 T=0.07 as t' \
	'set threads 2; get seed' 'echo "unterminated' "echo 'x" 'echo "\q"'; do
	i=$((i + 1))
	printf '%s' "$line" >"$dir/parse/seed-$i"
	printf '%s' "$line" >"$dir/session/seed-$i"
done
# session: the commands it runs, on its caches tr and te
i=0
for line in 'avg tr models=ma,mb as a; avg te models=ma,mb as b; knn a b k=3; compare a/b tr/te k=2 as t; show t' \
	'concat tr models=ma,mc as c; single tr ma as s; list; drop s; rename c cc' \
	'subset tr per_class=2 skip=1 as st; show st; svd tr:mb method=gram as sp; show sp' \
	'nnhist tr te bins=7 range=-1,1 as h; plot h width=30 height=8 ascii=on' \
	'set bail on; nosuch; echo not reached' 'help; help knn; get threads; quit; echo x'; do
	i=$((i + 1))
	printf '%s' "$line" >"$dir/session/seed-s$i"
done
# args: the first byte picks the command (index into the command table)
i=0
for line in 'X tr te k=5 T=0.5 preset=dino as t' 'Y tr per_class=3 skip=0 as x' \
	'Z a b c=1 d=on e=majority as n to f' 'W seed 18446744073709551615 threads 0x10' \
	'V depth=1e3 width=-1 lr=nan epochs=00012'; do
	i=$((i + 1))
	printf '%s' "$line" >"$dir/args/seed-$i"
done

# HDF5: caches by h5py
"$PYTHON3" - "$dir/h5" <<'PY'
import sys, numpy as np, h5py
d = sys.argv[1]
r = np.random.default_rng(1)
def cache(name, dtype=np.float32, labels=True, root=False, vlen=True, order=False, n=20):
    with h5py.File(f"{d}/seed-{name}.h5", "w", track_order=order, libver="latest") as f:
        for split in ([None] if root else ["train", "test"]):
            g = f if split is None else f.create_group(split)
            fe = g.create_group("features")
            for m, dim in (("ma", 3), ("mb", 3 if dtype == np.float32 else 2)):
                x = r.normal(size=(n, dim)) + 1.5
                fe.create_dataset(m, data=(x * 10 if dtype != np.float32 and
                                           np.issubdtype(dtype, np.integer) else x).astype(dtype))
            if labels:
                g.create_dataset("labels", data=np.arange(n) % 3)
        if vlen:
            f.attrs["models"] = ["mb", "ma"]
            f.attrs["dataset"] = "toy"
        else:
            f.attrs.create("models", np.array([b"mb", b"ma"], dtype="S2"))
            f.attrs.create("dataset", np.bytes_(b"toy"))
        f.attrs["n_seen"] = np.int64(6)
cache("f32")
cache("f64", dtype=np.float64, labels=False)
cache("int", dtype=np.int16, vlen=False)
cache("root", root=True, order=True)
PY
# saved objects, one of each type, by rnr itself
(cd "$dir/h5" && "$RNR" -n -c "load seed-f32.h5 as c
avg c.train as a; avg c.test as b; knn a b k=2 as t; svd a as sp
nnhist a b bins=4 as h; subset c.train per_class=1 as sub
mlp c.train depth=1 width=2 as m; train m c.train bank=psi epochs=2 warmup=1 batch=3
probe a b epochs=2 batch=3 wd=1e-3,1e-2 as pr
save sub to seed-obj-cache.h5; save psi to seed-obj-bank.h5; save m to seed-obj-mlp.h5
save t to seed-obj-table.h5; save sp to seed-obj-spectrum.h5; save h to seed-obj-hist.h5
save pr to seed-obj-probe.h5; save psi.loss to seed-obj-loss.h5" >/dev/null)
(cd "$dir/h5" && "$RNR" -n -c "load seed-obj-bank.h5; list")
ls -l "$dir/h5"
