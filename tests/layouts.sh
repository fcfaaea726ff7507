#!/bin/sh
# layouts.sh - caches in the layouts people already have, and .npy out.
# numpy and h5py write the same numbers in each layout (one file per model
# and split, .npy with labels beside, features under any dataset path,
# .npz, labels in another file, splits found inside a file, big-endian
# float64 in Fortran order); each assembled cache must load with the
# expected shapes and give the k-NN table of the native file holding the
# same numbers.  Bad layouts are refused naming the file and dataset at
# fault.  What rnr exports as .npy is read back with np.load and compared
# with h5py's reading of `save` and with numpy's own computation.
# Skips when no python3 here has numpy and h5py (python3-numpy, -h5py).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
demo=$(cd "$top_srcdir" && pwd)/data/fmnist-demo.h5

. "$top_srcdir/tests/tap.sh"
if ! py=$(python_with 'import numpy, h5py'); then
	echo "1..0 # SKIP no python3 with numpy and h5py"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

has() { # has WHAT PATTERN FILE
	if grep -Fq -- "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "#   expected a line containing: $2"
		sed 's/^/#   | /' "$3"
	fi
}
same() { # same WHAT EXPECTED-FILE ACTUAL-FILE
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diff -u "$2" "$3" | sed 's/^/#   /'
	fi
}
# run NAME: the commands on stdin as a command file, run in $tmp; output
# in $tmp/NAME.out
run() {
	cat >"$tmp/$1.rnr"
	(cd "$tmp" && "$RNR" -n "$1.rnr" >"$1.out" 2>&1)
}

cd "$tmp" || exit 1
if ! "$py" - <<'EOF'
import os
import zipfile

import h5py
import numpy as np

rng = np.random.default_rng(8)
dims = {"simclr": 6, "byol": 4}
rows = {"train": 40, "test": 12}
Y = {s: rng.integers(0, 4, rows[s]) for s in rows}
# classes are clusters, noisy enough that k and the model matter
centre = {m: rng.standard_normal((4, d)) for m, d in dims.items()}
F = {(m, s): (centre[m][Y[s]] + 1.2 * rng.standard_normal((rows[s], d))).astype(np.float32)
     for m, d in dims.items() for s in rows}
for d in ("pf", "npy", "pm", "bad"):
    os.makedirs(d)
with h5py.File("native.h5", "w") as h:
    for s in rows:
        for m in dims:
            h[f"{s}/features/{m}"] = F[m, s]
        h[f"{s}/labels"] = Y[s]
with h5py.File("all.h5", "w") as h, h5py.File("lab.h5", "w") as lab:
    for s in rows:
        for m in dims:
            h[f"{s}/{m}"] = F[m, s]
        h[f"{s}/y"] = Y[s]
        lab[s] = Y[s].astype(np.int16)
for m in dims:
    with h5py.File(f"pm/{m}.h5", "w") as h:
        for s in rows:
            h[f"{s}/features"] = F[m, s]
            h[f"{s}/labels"] = Y[s]
    for s in rows:
        with h5py.File(f"pf/{m}_{s}.h5", "w") as h:
            h["features"] = F[m, s]
            h["labels"] = Y[s]
        np.save(f"npy/{m}_{s}.npy", F[m, s])
for s in rows:
    np.save(f"npy/y_{s}.npy", Y[s].astype(np.uint8))
# the same numbers as big-endian float64 in Fortran order, in .npy
# format versions 2.0 (byol) and 3.0 (simclr)
os.makedirs("be")
for (m, s), x in F.items():
    with open(f"be/{m}_{s}.npy", "wb") as f:
        np.lib.format.write_array(f, np.asfortranarray(x.astype(">f8")),
                                  version=(2, 0) if m == "byol" else (3, 0))
np.savez("emb.npz", **{f"{m}_{s}": x for (m, s), x in F.items()},
         **{f"y_{s}": y for s, y in Y.items()})
np.savez_compressed("packed.npz", **{f"{m}_{s}": x for (m, s), x in F.items()})
# bad: labels that disagree, rows that disagree
for m in dims:
    with h5py.File(f"bad/lab_{m}.h5", "w") as h:
        h["features"] = F[m, "train"]
        y = Y["train"].copy()
        if m == "simclr":
            y[7] = (y[7] + 1) % 4
        h["labels"] = y
    with h5py.File(f"bad/rows_{m}.h5", "w") as h:
        h["features"] = F[m, "train"][: 40 if m == "byol" else 39]
np.save("bad/obj.npy", np.array([1, "a"], dtype=object))
np.save("bad/f16.npy", F["byol", "train"].astype(np.float16))
with open("npy/byol_train.npy", "rb") as f:
    b = f.read()
with open("bad/trunc.npy", "wb") as f:
    f.write(b[:-5])
# 4 TB claimed by a 128-byte file
hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }"
hdr += b" " * (128 - 10 - len(hdr) - 1) + b"\n"
with open("bad/huge.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr)
# an .npz whose stored entry was altered after the checksum was taken
with zipfile.ZipFile("bad/crc.npz", "w") as z:
    z.writestr("byol_train.npy", b)
raw = bytearray(open("bad/crc.npz", "rb").read())
raw[raw.index(b"NUMPY") + 200] ^= 1
open("bad/crc.npz", "wb").write(raw)
np.savez("amb.npz", **{"a_b_train": F["byol", "train"]})
EOF
then
	echo "Bail out! could not write the test files"
	exit 1
fi

# ---- each layout gives the native file's k-NN table ------------------------
knn_of() { # knn_of NAME: the commands k-NN needs on caches NAME.train/.test
	printf 'concat %s.train as a\nconcat %s.test as b\nknn a b k=1,5\n' "$1" "$1"
}
{ echo 'set threads 1'; echo 'load native.h5 as nat'; knn_of nat; } | run native
grep -F ' -> ' native.out >native.knn
sed 's/^/# native: /' native.knn
has "native loads" "nat.train: 40 rows, 2 models (byol 4, simclr 6), labels in 4 classes" native.out

layout() { # layout NAME 'LOAD ARGS' WHAT
	{ echo 'set threads 1'; echo "load $2"; knn_of "$1"; } | run "$1"
	has "$3: train shape and labels" \
		"$1.train: 40 rows, 2 models (byol 4, simclr 6), labels in 4 classes" "$1.out"
	has "$3: test shape" "$1.test: 12 rows, 2 models (byol 4, simclr 6)" "$1.out"
	grep -F ' -> ' "$1.out" >"$1.knn"
	same "$3: k-NN table equals the native file's" native.knn "$1.knn"
}
layout pf "'pf/{model}_{split}.h5' as pf" "one HDF5 file per model and split"
layout np "'npy/{model}_{split}.npy' as np labelfile='npy/y_{split}.npy'" \
	".npy per model and split, uint8 labels in .npy"
layout all "all.h5 as all features=/{split}/{model} labels=/{split}/y" \
	"features under a dataset-path pattern"
layout emb "emb.npz features={model}_{split} labels=y_{split}" ".npz arrays by pattern"
layout pm "'pm/{model}.h5' as pm features=/{split}/features labels=/{split}/labels" \
	"one file per model, splits found inside"
layout lab "all.h5 as lab features=/{split}/{model} models=byol,simclr labelfile=lab.h5 \
labels=/{split}" "labels in another HDF5 file"
layout be "'be/{model}_{split}.npy' as be models=byol,simclr splits=train,test \
labelfile='npy/y_{split}.npy'" "big-endian float64 Fortran-order .npy 2.0/3.0, names given"

# ---- missing labels: loaded, then refused by what needs them ---------------
run nolab <<'EOF'
load 'npy/{model}_{split}.npy' as nl models=byol,simclr
concat nl.train as a
concat nl.test as b
knn a b
probe nl.train:byol nl.test:byol
EOF
has "no labels: loads" "nl.train: 40 rows, 2 models (byol 4, simclr 6), no labels" nolab.out
has "no labels: knn names the cache" "a has no labels (concatenation of the 2 normalised features of nl.train)" nolab.out
has "no labels: probe names the cache" "probe: nl.train:byol has no labels" nolab.out
run nolab2 <<'EOF'
load 'pf/{model}_{split}.h5' as x labels=none
EOF
has "labels=none loads without labels" "x.train: 40 rows, 2 models (byol 4, simclr 6), no labels" nolab2.out

# ---- refused, naming the file and dataset ----------------------------------
refuse() { # refuse WHAT 'LOAD ARGS' EXPECTED-TEXT
	printf 'load %s\nlist\n' "$2" | run refuse
	has "$1" "$3" refuse.out
	has "$1: nothing added" "(no objects" refuse.out
}
refuse "labels disagree across files" "'bad/lab_{model}.h5' as x" \
	"bad/lab_simclr.h5: /labels: row 7 has label"
refuse "rows disagree across models" "'bad/rows_{model}.h5' as x" \
	"bad/rows_simclr.h5: /features has 39 rows but bad/rows_byol.h5: /features has 40"
refuse "compressed .npz entry" "packed.npz features={model}_{split}" \
	"packed.npz: array 'byol_test' is deflate-compressed (np.savez_compressed); rnr reads stored entries only: re-save it uncompressed, e.g. np.savez('new.npz', **np.load('packed.npz'))"
refuse "object array" "bad/obj.npy" "bad/obj.npy: is an object array"
refuse "float16 features" "bad/f16.npy" "bad/f16.npy: dtype <f2; features must be float32 or float64"
refuse "truncated .npy" "bad/trunc.npy" "bad/trunc.npy: header says shape (40, 4) of <f4, 640 bytes of data, but only 635 bytes follow"
refuse "4 TB claimed by 128 bytes" "bad/huge.npy" "4000000000000 bytes of data, but only 0 bytes follow"
refuse ".npz CRC mismatch" "bad/crc.npz features=byol_train labels=none" "bad/crc.npz: array 'byol_train': CRC-32"
refuse "missing dataset names what is there" "'pf/{model}_{split}.h5' as x features=/feats" \
	"pf/byol_test.h5: /feats is missing (pf/byol_test.h5 holds /features, /labels)"
refuse "labels named but missing" "'pf/{model}_{split}.h5' as x labels=/y" \
	"pf/byol_test.h5: /y is missing"
refuse "ambiguous names" "amb.npz features={model}_{split}" \
	"'a_b_train' matches '{model}_{split}' in more than one way"
refuse "labels= with .npy features" "'npy/{model}_{split}.npy' as x labels=y" \
	"labels=y: a .npy file holds only its features; name the labels' files with labelfile="
refuse "no file matches" "'nowhere/{model}.h5'" "no file matches 'nowhere/{model}.h5'"

# ---- .npy out: np.load reads what rnr wrote --------------------------------
run export <<EOF
set threads 1
load native.h5 as nat
concat nat.train as tr
concat nat.test as te
knn tr te k=1,5 as tab
svd tr as sp
nnhist tr te bins=10 as h
export tr to tr.npy
export tab to tab.npy
export sp to sp.npy
export h to h.npy
save tr to tr.h5
export nat.train to x.npy
show tab
probe tr te epochs=3 as p
export p to p.npy
load $demo as fm
subset fm.test per_class=10 as s
mlp s seed=1 as m
set progress off
train m s epochs=2 batch=50
export psi.loss to loss.npy
EOF
has "export: bank written" "exported 1 object to tr.npy (npy)" export.out
has "export: a cache is refused" "nat.train is a cache: it has no one array to write as .npy" \
	export.out
"$py" - <<'EOF' >pycheck.out 2>&1
import h5py
import numpy as np

fails = []


def check(cond, what):
    print(("ok " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


tr = np.load("tr.npy")
with h5py.File("tr.h5") as h:
    psi = h["tr/psi"][()]
check(tr.dtype == np.float32 and tr.shape == (40, 10), f"bank float32 {tr.shape}")
check(np.array_equal(tr, psi), "bank .npy equals the .h5 save read by h5py, bit for bit")
with h5py.File("native.h5") as h:
    parts = [h[f"train/features/{m}"][()].astype(np.float64) for m in ("byol", "simclr")]
ref = np.hstack([p / np.linalg.norm(p, axis=1, keepdims=True) for p in parts])
ref /= np.linalg.norm(ref, axis=1, keepdims=True)
err = np.abs(tr - ref).max()
check(err < 1e-6, f"bank equals numpy's normalised concatenation (max diff {err:.2g})")
sp = np.load("sp.npy")
sv = np.linalg.svd(tr.astype(np.float64), compute_uv=False)
err = np.abs(sp - sv).max() / sv[0]
check(sp.dtype == np.float64 and sp.shape == (10,) and err < 1e-5,
      f"spectrum equals numpy's singular values (max rel diff {err:.2g})")
tab = np.load("tab.npy")
check(tab.shape == (2, 5) and list(tab[:, 0]) == [1, 5] and list(tab[:, 1]) == [12, 12],
      f"table [2, 5]: k {tab[:, 0]}, n_test {tab[:, 1]}")
with open("export.out") as f:
    # knn prints the table, then `show tab` prints it again
    lines = [l.split() for l in f if l.startswith("tr -> te")][:2]
printed = np.array([[float(w) for w in l[3:]] for l in lines])
check(printed.shape == (2, 4) and np.abs(printed[:, 2:] - tab[:, 3:]).max() < 0.006,
      "table accuracies equal the printed ones")
hist = np.load("h.npy")
check(hist.shape == (10, 3) and hist[:, 2].sum() == 12
      and np.all(hist[1:, 0] == hist[:-1, 1]),
      f"hist [10, 3]: counts sum to {hist[:, 2].sum()}, edges contiguous")
p = np.load("p.npy")
with open("export.out") as f:
    sweep = [l.split() for l in f if l.strip()[:1].isdigit() and len(l.split()) in (2, 4)]
check(p.shape == (5, 2) and np.allclose(p[:, 0], [1e-6, 1e-5, 1e-4, 1e-3, 1e-2])
      and np.abs(p[:, 1] - [float(w[1]) for w in sweep]).max() < 0.006,
      f"probe [5, 2]: the wd sweep and the printed validation accuracies")
loss = np.load("loss.npy")
err = np.abs(loss[:, 0] - loss[:, 1:].mean(axis=1)).max()
check(loss.shape == (4, 5) and err < 1e-6,
      f"loss [4 steps, 1 + 4 models]: total is the models' mean (max diff {err:.2g})")
raise SystemExit(1 if fails else 0)
EOF
st=$?
sed 's/^/# /' pycheck.out
ok $st "np.load reads rnr's .npy files with the expected values"

echo "1..$n"
[ "$failed" = 0 ]
