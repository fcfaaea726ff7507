#!/bin/sh
# make-seeds.sh - (re)make the seed corpora of the fuzz targets in
# tests/fuzz/TARGET/: a few command lines for the parsers and the session,
# and for the HDF5 loader tiny valid caches written by h5py (layouts users
# meet: float32/float64/int features, labels or none, fixed and vlen string
# attributes, one split at the root, track_order) plus one saved rnr object
# of each type; for the structured HDF5 target, op sequences (see
# fuzz-h5struct.c) that build a cache, objects and a huge claim.  Crash
# inputs (crash-*) in those directories are kept.
# Usage: RNR=./rnr PYTHON3=/usr/bin/python3 tests/fuzz/make-seeds.sh
set -eu
: "${RNR:=./rnr}" "${PYTHON3:=/usr/bin/python3}"
dir=$(cd "$(dirname "$0")" && pwd)
case $RNR in /*) ;; *) RNR=$(pwd)/$RNR ;; esac
mkdir -p "$dir/parse" "$dir/args" "$dir/session" "$dir/h5" "$dir/h5struct" "$dir/npy" \
	"$dir/pattern"
rm -f "$dir"/parse/seed-* "$dir"/args/seed-* "$dir"/session/seed-* "$dir"/h5/seed-* \
	"$dir"/h5struct/seed-* "$dir"/npy/seed-* "$dir"/pattern/seed-*

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
# pattern: a load pattern, a name, a list (fuzz-pattern.c)
i=0
for triple in 'feats/{model}_{split}.h5|feats/simclr_train.h5|simclr,byol' \
	'{model}_{split}|byol_v2_train|a,,b' '/{split}/features/{model}|/train/features/rotnet|train,test' \
	'{model}/{model}.npy|a/a.npy|a' 'x_{split}.npz|x_test.npz|' '{split}{model}|ab|,' \
	'.-{model}|.-9|x'; do
	i=$((i + 1))
	printf '%s' "$triple" | tr '|' '\n' >"$dir/pattern/seed-$i"
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
# h5struct: op sequences (fuzz-h5struct.c) that build a cache, a bank, an
# MLP, a loss history, a histogram and a cache claiming 2^40 rows
"$PYTHON3" - "$dir/h5struct" <<'PY'
import sys
d = sys.argv[1]
LOC = {"/": 0, "/obj": 1, "/obj/ma": 2, "/obj/mb": 3, "/train": 5, "/train/features": 6}
NAME = {n: i for i, n in enumerate("""ma mb features labels psi total per_model values
 sigma wd val_accuracy k n_test temperature majority weighted weight0 bias0 weight1
 bias1 weight2 bias2 rnr_type note models steps_per_epoch warmup_epochs train test n
 bins range_given lo hi mean_similarity""".split())}
F32, F64, I64 = 0, 1, 3
DIM = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 7: 6, 20: 7, 1000: 8, 2**40: 10}
WORD = {"bank": 1, "mlp": 2, "loss": 3, "hist": 6, "ma": 8, "mb": 9, "train": 10, "test": 11}
def ds(loc, name, t, dims, vals=None):  # small integers -1..7, or nothing written
    b = [0, LOC[loc], NAME[name], t, 1, len(dims) - 1] + [DIM[x] for x in dims] + [0]
    return b + ([1] + [v + 1 for v in vals] if vals is not None else [0])
def attr(loc, name, t, v):  # scalar number
    return [1, LOC[loc], NAME[name], t, 0, 0, 1, v + 1]
def text(loc, name, ws):
    return [2, LOC[loc], NAME[name], 1, len(ws) if len(ws) > 1 else 0] + [WORD[w] for w in ws]
def vals(n):
    return [(i * 5 + 3) % 8 - 1 for i in range(n)]
seeds = {
    "cache": ds("/train/features", "ma", F32, [20, 3], vals(60)) +
             ds("/train/features", "mb", F32, [20, 3], vals(60)) +
             ds("/train", "labels", I64, [20], [i % 3 for i in range(20)]),
    "huge": ds("/train/features", "ma", F32, [2**40, 3]),
    "bank": text("/obj", "rnr_type", ["bank"]) + ds("/obj", "psi", F32, [5, 3], vals(15)),
    "mlp": text("/obj", "rnr_type", ["mlp"]) + text("/obj", "models", ["ma", "mb"]) +
           ds("/obj/ma", "weight0", F32, [2, 3], vals(6)) + ds("/obj/ma", "bias0", F32, [2], vals(2)) +
           ds("/obj/mb", "weight0", F32, [2, 3], vals(6)) + ds("/obj/mb", "bias0", F32, [2], vals(2)),
    "loss": text("/obj", "rnr_type", ["loss"]) + text("/obj", "models", ["ma", "mb"]) +
            attr("/obj", "steps_per_epoch", I64, 2) + attr("/obj", "warmup_epochs", I64, 1) +
            ds("/obj", "total", F64, [4], vals(4)) + ds("/obj", "per_model", F64, [4, 2], vals(8)),
    "hist": text("/obj", "rnr_type", ["hist"]) + text("/obj", "train", ["train"]) +
            text("/obj", "test", ["test"]) + attr("/obj", "n", I64, 5) + attr("/obj", "bins", I64, 3) +
            attr("/obj", "range_given", I64, 0) + attr("/obj", "lo", F64, -1) +
            attr("/obj", "hi", F64, 1) + attr("/obj", "mean_similarity", F64, 1) +
            ds("/obj", "values", F32, [5], vals(5)),
}
for name, b in seeds.items():
    open(f"{d}/seed-{name}", "wb").write(bytes(b))
PY

# npy: one byte (the label count wanted) then a .npy file or an .npz
# archive: float32/float64 either order and layout, integer labels of
# several widths, format versions 1.0 to 3.0, stored and deflated archives
"$PYTHON3" - "$dir/npy" <<'PY'
import io, sys, zipfile, numpy as np
d = sys.argv[1]
r = np.random.default_rng(2)
x = r.normal(size=(5, 3)).astype(np.float32)
y = np.array([0, 2, 1, 1, 0])
def npy(a, version=None):
    b = io.BytesIO()
    np.lib.format.write_array(b, a, version=version)
    return b.getvalue()
def npz(arrays, compress=False):
    b = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(b, **arrays)
    return b.getvalue()
seeds = {
    "f4": (5, npy(x)), "f8-fortran": (5, npy(np.asfortranarray(x.astype(np.float64)))),
    "f4-big": (5, npy(x.astype(">f4"))), "v2": (5, npy(x, (2, 0))), "v3": (5, npy(x, (3, 0))),
    "i8": (5, npy(y)), "u1": (5, npy(y.astype(np.uint8))), "i2-big": (5, npy(y.astype(">i2"))),
    "empty": (0, npy(np.zeros((0, 3), np.float32))), "scalar": (1, npy(np.float32(1))),
    "npz": (5, npz({"features": x, "labels": y})),
    "npz-deflate": (5, npz({"features": x, "labels": y}, compress=True)),
}
for name, (n, b) in seeds.items():
    open(f"{d}/seed-{name}", "wb").write(bytes([n]) + b)
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
