#!/usr/bin/python3
"""make-corpus.py OUTDIR [--workspace CHECKPOINT] - write rnr's corpus of
malformed and hostile inputs.

Each file is one way a feature cache, a saved object file or a command file
can be wrong; tests/corpus.sh loads or sources every one of them and checks
the message rnr gives and that the workspace is left as it was.  The files
are small: the "huge" ones only claim their size (HDF5 allocates a
contiguous dataset's storage when it is first written, and they are never
written).  Needs h5py and numpy.

good.h5 is a well-formed cache (train and test, models a and b, dim 8,
labels in 4 classes): the other caches are made from it by one change.

With --workspace, the files written are instead broken copies of
CHECKPOINT, a checkpoint rnr wrote of a job on good.h5's train split
(tests/corpus.sh makes it): what a damaged or doctored workspace file can
hold that would otherwise train to NaN or resume a different run.
"""
import os
import shutil
import sys

import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)


def path(name):
    return os.path.join(out, name)


def workspace_corpus(checkpoint):
    """ws-*.h5: one change each to a copy of checkpoint."""
    def broken(name, edit):
        shutil.copy(checkpoint, path(name))
        with h5py.File(path(name), "r+") as f:
            edit(f)

    def attr(group, key, value):
        return lambda f: f[group].attrs.__setitem__(key, value)

    def data(dset, change):
        def edit(f):
            f[dset][...] = change(f[dset][()])
        return edit

    broken("ws-lr-nan.h5", attr(".job", "lr", np.float64("nan")))
    broken("ws-beta2-one.h5", attr(".job", "beta2", np.float64(1.0)))
    broken("ws-eps-zero.h5", attr(".job", "eps", np.float64(0.0)))
    broken("ws-wd-inf.h5", attr(".job", "wd", np.float64("inf")))
    broken("ws-batch-zero.h5", attr(".job", "batch", np.int64(0)))
    broken("ws-kind.h5", attr(".job", "kind", "dance"))
    broken("ws-mlp_t.h5", attr(".job", "mlp_t", np.int64(2**62)))
    broken("ws-bank_m-nan.h5", data(".job/bank_m", lambda a: a * np.nan))
    broken("ws-bank_v-negative.h5", data(".job/bank_v", lambda a: a - 1))
    broken("ws-mlp_v-negative.h5", data(".job/mlp_v", lambda a: a - 1))
    broken("ws-bank_row_t.h5", data(".job/bank_row_t", lambda a: a + 100))
    broken("ws-shuffle-zero.h5", data(".job/shuffle", lambda a: a * 0))
    broken("ws-weights-nan.h5", data("m/a/weight0", lambda a: a * np.nan))
    broken("ws-threads-zero.h5", attr(".settings", "threads", "0"))
    broken("ws-format.h5", lambda f: f.attrs.__setitem__("rnr_workspace", np.int64(99)))


if len(sys.argv) > 3 and sys.argv[2] == "--workspace":
    workspace_corpus(sys.argv[3])
    sys.exit(0)


def feats(rows, dim=8, dtype=np.float32):
    return (np.abs(rng.normal(size=(rows, dim))) + 0.1).astype(dtype)


def cache(name, splits=("train", "test"), rows=12, models=("a", "b"), **kw):
    """A well-formed cache, then kw's edit applied to the open file."""
    with h5py.File(path(name), "w") as f:
        f.attrs["dataset"] = "corpus"
        for s in splits:
            for m in models:
                f[s + "/features/" + m] = feats(rows)
            f[s + "/labels"] = np.arange(rows, dtype=np.int64) % 4
        edit = kw.get("edit")
        if edit:
            edit(f)


def replace(dset_path, data, **kw):
    def edit(f):
        del f[dset_path]
        f.create_dataset(dset_path, data=data, **kw)
    return edit


cache("good.h5")

# ---- not HDF5 at all ----------------------------------------------------------
open(path("empty.h5"), "wb").close()
with open(path("text.h5"), "w") as fh:
    fh.write("train,features\n1,2,3\n")
os.makedirs(path("dir.h5"), exist_ok=True)
with open(path("good.h5"), "rb") as fh:
    whole = fh.read()
with open(path("truncated.h5"), "wb") as fh:
    fh.write(whole[: len(whole) * 2 // 3])
with open(path("superblock-only.h5"), "wb") as fh:
    fh.write(whole[:96])

# ---- wrong types ----------------------------------------------------------------
cache("int-features.h5", edit=replace("train/features/a", np.arange(96, dtype=np.int32).reshape(12, 8)))
cache("string-features.h5", edit=replace("train/features/a", np.array([b"x" * 8] * 12)))
cache("float-labels.h5", edit=replace("train/labels", np.arange(12) * 0.5))
cache("string-labels.h5", edit=replace("train/labels", np.array([b"cat"] * 12)))
cache("compound-features.h5", edit=replace(
    "train/features/a", np.zeros(12, dtype=[("x", "f4"), ("y", "f4")])))

# ---- shapes ------------------------------------------------------------------------
cache("zero-rows.h5", edit=lambda f: (replace("train/features/a", np.zeros((0, 8), np.float32))(f),
                                      replace("train/features/b", np.zeros((0, 8), np.float32))(f),
                                      replace("train/labels", np.zeros(0, np.int64))(f)))
cache("zero-cols.h5", edit=replace("train/features/a", np.zeros((12, 0), np.float32)))
cache("3d-features.h5", edit=replace("train/features/a", feats(12 * 2).reshape(12, 2, 8)))
cache("scalar-features.h5", edit=replace("train/features/a", np.float32(1.0)))
cache("2d-labels.h5", edit=replace("train/labels", np.zeros((12, 2), np.int64)))
cache("short-labels.h5", edit=replace("train/labels", np.zeros(5, np.int64)))
cache("rows-differ.h5", edit=replace("train/features/b", feats(11)))
cache("dims-differ-splits.h5", edit=replace("test/features/a", feats(12, 16)))


def huge(dset_path, shape):
    def edit(f):
        del f[dset_path]
        f.create_dataset(dset_path, shape=shape, dtype=np.float32)  # never written
    return edit


# 10^9 rows x 10^4 dims of float32: 40 TB claimed, a few KiB on disk
cache("terabytes.h5", edit=huge("train/features/a", (10**9, 10**4)))
# dims whose product overflows 64 bits
cache("overflow.h5", edit=huge("train/features/a", (2**62, 2**40)))

# ---- values --------------------------------------------------------------------------
def poke(dset_path, row, col, value):
    def edit(f):
        x = f[dset_path][()]
        x[row, col] = value
        f[dset_path][...] = x
    return edit


def set_label(row, value):
    def edit(f):
        y = f["train/labels"][()]
        y[row] = value
        f["train/labels"][...] = y
    return edit


cache("nan.h5", edit=poke("train/features/b", 3, 5, np.nan))
cache("inf.h5", edit=poke("test/features/a", 7, 0, -np.inf))
# finite in float64, Inf once converted to float32
cache("f64-overflow.h5", edit=lambda f: replace(
    "train/features/a", np.full((12, 8), 1e300, np.float64))(f))
cache("negative-label.h5", edit=set_label(4, -3))
cache("huge-label.h5", edit=set_label(2, 10**12))
cache("int64-max-label.h5", edit=set_label(5, 2**63 - 1))  # its + 1 overflowed (fuzz-npy)
cache("n_classes-huge.h5", edit=lambda f: f["train/labels"].attrs.__setitem__("n_classes", 2**40))
cache("label-over-n_classes.h5", edit=lambda f: (
    set_label(9, 6)(f), f["train/labels"].attrs.__setitem__("n_classes", 4)))

# ---- attributes and names ----------------------------------------------------------------
cache("duplicate-models-attr.h5", edit=lambda f: f.attrs.__setitem__("models", ["a", "a"]))
cache("n_classes-string.h5", edit=lambda f: f["train/labels"].attrs.__setitem__("n_classes", "four"))
cache("n_classes-array.h5", edit=lambda f: f["train/labels"].attrs.__setitem__(
    "n_classes", np.array([4, 5])))
cache("n_classes-negative.h5", edit=lambda f: f["train/labels"].attrs.__setitem__("n_classes", -2))


def string_attrs(f):
    # both string kinds h5py and older tools write, plus a large one: all load
    f.attrs["vlen"] = "variable length, UTF-8: zéro"
    f.attrs.create("fixed", np.bytes_(b"fixed length ASCII"), dtype="S18")
    f.attrs["vlen_list"] = ["x", "y", "ünïcode"]
    f.attrs.create("fixed_list", np.array([b"ab", b"cd"], dtype="S2"))
    f.attrs["big"] = "z" * (1 << 20)
    f.attrs["bad_utf8"] = np.void(b"\xff\xfe")  # opaque bytes: rendered, not trusted


cache("string-attrs.h5", edit=string_attrs)


# a model whose name is not UTF-8: not a name rnr can print or type
with h5py.File(path("badname-utf8.h5"), "w") as f:
    f["train/features/b"] = feats(12)
    f.create_dataset(b"train/features/\xffa\xfe", data=feats(12))
    f["train/labels"] = np.arange(12) % 4

# ---- structure ---------------------------------------------------------------------------------
with h5py.File(path("labels-only.h5"), "w") as f:
    f["train/labels"] = np.arange(12) % 4
with h5py.File(path("features-dataset.h5"), "w") as f:
    f["train/features"] = feats(12)
    f["train/labels"] = np.arange(12) % 4
cache("missing-model.h5", edit=lambda f: f.__delitem__("test/features/b"))
cache("empty-features-group.h5", edit=lambda f: (f.__delitem__("train/features/a"),
                                                 f.__delitem__("train/features/b")))
cache("dangling-link.h5", edit=lambda f: (f.__delitem__("train/features/a"),
                                          f["train/features"].__setitem__(
                                              "a", h5py.SoftLink("/nowhere"))))
cache("external-link.h5", edit=lambda f: (f.__delitem__("train/features/a"),
                                          f["train/features"].__setitem__(
                                              "a", h5py.ExternalLink("no-such-file.h5", "/x"))))
cache("lzf.h5", edit=replace("train/features/a", feats(12), compression="lzf"))

# a saved bank (rnr_type) whose psi claims terabytes
with h5py.File(path("bank-terabytes.h5"), "w") as f:
    g = f.create_group("psi")
    g.attrs["rnr_type"] = "bank"
    g.attrs["rnr_version"] = "0.1.0"
    g.create_dataset("psi", shape=(10**9, 10**4), dtype=np.float32)
    g["labels"] = np.zeros(10, np.int64)
# a saved object of a type rnr does not know
with h5py.File(path("unknown-type.h5"), "w") as f:
    f.create_group("thing").attrs["rnr_type"] = "spaceship"

# ---- .npy and .npz (load's other layouts) ----------------------------------------------
np.save(path("good.npy"), feats(12))
with open(path("good.npy"), "rb") as fh:
    npy = fh.read()
with open(path("truncated.npy"), "wb") as fh:
    fh.write(npy[: len(npy) // 2])
# a header claiming 40 TB in front of 384 bytes of data
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 10000), }"
hdr = (hdr + " " * (118 - len(hdr)) + "\n").encode()
with open(path("terabytes.npy"), "wb") as fh:
    fh.write(b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr + npy[128:])
np.save(path("int.npy"), np.arange(96, dtype=np.int32).reshape(12, 8))
x = feats(12)
x[2, 3] = np.nan
np.save(path("nan.npy"), x)
np.save(path("object.npy"), np.array([{"a": 1}] * 3, dtype=object), allow_pickle=True)
np.savez(path("short-labels.npz"), a_train=feats(12), y_train=np.arange(5))

# ---- command files -------------------------------------------------------------------------------
def text(name, data):
    with open(path(name), "wb") as fh:
        fh.write(data)


text("empty.rnr", b"")
text("loop.rnr", b"echo looping\nsource " + path("loop.rnr").encode() + b"\n")
for i in range(20):
    text("chain%d.rnr" % i, b"source " + path("chain%d.rnr" % (i + 1)).encode() + b"\n")
text("chain20.rnr", b"echo bottom\n")
# one line of 4 MiB: a word, then a comment, then many words
text("long-word.rnr", b"list\n" + b"x" * (4 << 20) + b"\n")
text("long-comment.rnr", b"# " + b"c" * (4 << 20) + b"\nlist\n")
text("many-words.rnr", b"echo" + b" w" * 1000 + b"\n")
text("bad-utf8.rnr", b"echo fine\ndrop \xff\xfeobj\n")
text("bad-utf8-name.rnr", b"rename good.test caf\xe9\n")
text("nul.rnr", b"list\ndrop good.test\x00 this part is hidden\n")
text("binary.rnr", whole[:4096])
text("quote.rnr", b"echo ok\necho 'never closed\n")
text("crlf.rnr", b"echo crlf\r\nlist\r\n")
os.makedirs(path("dir.rnr"), exist_ok=True)
