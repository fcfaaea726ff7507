"""export.py - tools/rnr-export end to end, on a few generated images with
randomly initialised torchvision models (run by tests/torch-python.sh).

Writes a tiny ImageFolder (3 classes, RGB and grayscale PNGs of two shapes)
and tiny IDX files, exports two models into one cache and adds a third,
and checks: the layout rnr's loader reads (datasets, dtypes, shapes,
labels, attributes); the features against an independent recomputation
(our own crop and normalisation with PIL and numpy, the network's layers
called one by one, weights rebuilt from the seed or the weights file); that
rnr loads the cache with the expected shapes and runs k-NN on it; that the
IDX reader and torchvision's FashionMNIST agree; and that bad runs are
refused with a message and leave the cache as it was."""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import ok, plan  # noqa: E402

top_srcdir = os.environ.get("top_srcdir", ".")
RNR = os.environ.get("RNR", "./rnr")
TOOL = os.path.join(top_srcdir, "tools", "rnr-export")
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
SIZE, RESIZE = 32, 37
COMMON = ["--size", str(SIZE), "--resize", str(RESIZE), "--threads", "2"]



def export(*args):
    r = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True)
    return r.returncode, r.stderr


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- inputs ------------------------------------------------------------------

CLASSES = ["cat", "dog", "owl"]


def write_images(root, per_class, shape, rng):
    """root/CLASS/i.png: a colour per class plus noise; the last image of each
    class is grayscale.  Returns [(path, label)] in ImageFolder's order."""
    rows = []
    for label, c in enumerate(CLASSES):
        os.makedirs(os.path.join(root, c))
        base = rng.uniform(0, 255, size=3)
        for i in range(per_class):
            px = np.clip(base + rng.normal(0, 40, size=shape + (3,)), 0, 255).astype(np.uint8)
            img = Image.fromarray(px, "RGB")
            if i == per_class - 1:
                img = img.convert("L")
            path = os.path.join(root, c, "%d.png" % i)
            img.save(path)
            rows.append((path, label))
    return rows


def write_idx(path, array, magic_type=0x08):
    head = bytes([0, 0, magic_type, array.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in array.shape)
    data = head + array.astype(np.uint8).tobytes()
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


# ---- the independent recomputation ----------------------------------------------


def preprocess(img):
    """Shorter side to RESIZE (bilinear), centre SIZE crop, ImageNet
    normalisation: [1, 3, SIZE, SIZE]."""
    img = img.convert("RGB")
    w, h = img.size
    if w <= h:
        nw, nh = RESIZE, int(RESIZE * h / w)
    else:
        nw, nh = int(RESIZE * w / h), RESIZE
    img = img.resize((nw, nh), Image.BILINEAR)
    top, left = int(round((nh - SIZE) / 2.0)), int(round((nw - SIZE) / 2.0))
    x = np.asarray(img.crop((left, top, left + SIZE, top + SIZE)), dtype=np.float32) / 255.0
    x = (x - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def resnet_pooled(m, x):
    x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
    return x.mean(dim=(2, 3))


def squeezenet_pooled(m, x):
    return m.features(x).mean(dim=(2, 3))


def seeded(ctor, seed):
    torch.manual_seed(seed)
    return ctor().eval()


def expect(rows, net, pooled):
    with torch.no_grad():
        return np.concatenate([pooled(net, preprocess(Image.open(p))).numpy()
                               for p, _ in rows])


def close(got, want, what):
    err = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
    scale = float(np.max(np.abs(want))) or 1.0
    return ok(err <= 1e-4 * scale, "%s equal the recomputation (max |diff| %.2g, "
              "max |value| %.3g)" % (what, err, scale), "shapes %s %s" % (got.shape, want.shape))


# ---- the test -------------------------------------------------------------------


def image_folder_cache(tmp, rng):
    train = write_images(os.path.join(tmp, "imgs", "train"), 4, (30, 40), rng)
    test = write_images(os.path.join(tmp, "imgs", "test"), 2, (44, 30), rng)
    wfile = os.path.join(tmp, "r18b.pth")
    torch.save(seeded(torchvision.models.resnet18, 11).state_dict(), wfile)
    cache = os.path.join(tmp, "c.h5")
    src = ["--images", os.path.join(tmp, "imgs", "train"),
           "--images", os.path.join(tmp, "imgs", "test")]

    rc, err = export("-o", cache, *src, "--model", "resnet18", "--model", "r18b=resnet18",
                     "--weights", "r18b=" + wfile, "--random-init", "--seed", "3",
                     "--batch-size", "5", *COMMON)
    ok(rc == 0 and os.path.isfile(cache), "two models into a new cache (exit %d)" % rc, err)
    ok("train (resnet18, r18b)" in err and "12/12" in err, "progress on stderr", err)
    rc, err = export("-o", cache, "--add", *src, "--model", "sq=squeezenet1_1",
                     "--layer", "features", "--random-init", "--seed", "4", *COMMON)
    ok(rc == 0, "--add a third model through --layer (exit %d)" % rc, err)

    with h5py.File(cache, "r") as f:
        for split, rows in (("train", train), ("test", test)):
            g = f[split]
            shapes = {m: (g["features"][m].shape, g["features"][m].dtype) for m in g["features"]}
            want = {m: ((len(rows), 512), np.float32) for m in ("resnet18", "r18b", "sq")}
            ok(shapes == want, "%s: features/{resnet18,r18b,sq} float32 [%d, 512]"
               % (split, len(rows)), shapes)
            y = g["labels"]
            ok(y.dtype == np.int64 and list(y[()]) == [l for _, l in rows]
               and int(y.attrs["n_classes"]) == 3,
               "%s: labels int64 from the class folders, n_classes 3" % split)
            feats = {m: g["features"][m][()] for m in ("resnet18", "r18b", "sq")}
            ok(all(v.min() >= 0 for v in feats.values()), "%s: post-ReLU (no value < 0)" % split)
            close(feats["resnet18"], expect(rows, seeded(torchvision.models.resnet18, 3),
                                            resnet_pooled), "%s: resnet18 (seed 3)" % split)
            r18b = torchvision.models.resnet18()
            r18b.load_state_dict(torch.load(wfile))
            close(feats["r18b"], expect(rows, r18b.eval(), resnet_pooled),
                  "%s: r18b (--weights file)" % split)
            close(feats["sq"], expect(rows, seeded(torchvision.models.squeezenet1_1, 4),
                                      squeezenet_pooled), "%s: sq (--layer features)" % split)
        a = f.attrs
        ok(list(a["models"]) == ["resnet18", "r18b", "sq"], "root models: %s" % list(a["models"]))
        ok(list(a["class_names"]) == CLASSES, "root class_names: %s" % list(a["class_names"]))
        ok("post-ReLU" in a["feature_note"] and "rnr-export" in a["source"],
           "root feature_note and source")

    r = subprocess.run([RNR, "-n", "-c", "load %s as c" % cache], capture_output=True, text=True)
    lines = r.stdout + r.stderr
    ok(r.returncode == 0 and
       "c.train: 12 rows, 3 models (resnet18 512, r18b 512, sq 512), labels in 3 classes" in lines
       and "c.test: 6 rows, 3 models (resnet18 512, r18b 512, sq 512), labels in 3 classes" in lines,
       "rnr loads it: c.train 12 x 3x512, c.test 6 x 3x512, 3 classes", lines)
    r = subprocess.run([RNR, "-n", "--bail", "-c",
                        "load %s as c; single c.train resnet18 as a; single c.test resnet18 as b;"
                        " avg c.train as m; avg c.test as mt; knn a b; knn m mt" % cache],
                       capture_output=True, text=True)
    ok(r.returncode == 0 and "a -> b" in r.stdout and "m -> mt" in r.stdout,
       "rnr runs k-NN on one model and on the average", r.stdout + r.stderr)
    return cache, src, wfile


def refusals(tmp, cache, src, wfile):
    before = digest(cache)

    def refused(args, words, what):
        rc, err = export(*args)
        ok(rc == 1 and all(w in err for w in words) and digest(cache) == before,
           "%s: refused, cache unchanged (exit %d)" % (what, rc), err)

    refused(["-o", cache, "--add", *src, "--model", "sq=squeezenet1_1", "--layer", "features",
             "--random-init", *COMMON], ["already has", "train/features/sq"], "--add an existing name")
    refused(["-o", cache, "--add", *src, "--limit", "3", "--model", "x=resnet18",
             "--random-init", *COMMON], ["has 12 rows", "3"], "--add with other rows")
    swapped = os.path.join(tmp, "swapped")
    shutil.copytree(os.path.join(tmp, "imgs"), swapped)
    os.rename(os.path.join(swapped, "train", "cat", "0.png"), os.path.join(tmp, "t.png"))
    os.rename(os.path.join(swapped, "train", "dog", "0.png"), os.path.join(swapped, "train", "cat", "0.png"))
    os.rename(os.path.join(tmp, "t.png"), os.path.join(swapped, "train", "dog", "0.png"))
    os.rename(os.path.join(swapped, "train", "owl", "3.png"), os.path.join(swapped, "train", "dog", "9.png"))
    refused(["-o", cache, "--add", "--images", os.path.join(swapped, "train"),
             "--images", os.path.join(swapped, "test"), "--model", "x=resnet18",
             "--random-init", *COMMON], ["train/labels differ"], "--add with other labels")
    refused(["-o", cache, *src, "--model", "x=resnet18", "--random-init", *COMMON],
            ["exists", "--add", "--force"], "an existing output without --add or --force")
    refused(["-o", os.path.join(tmp, "new.h5"), *src, "--model", "resnet50", "--pretrained"],
            ["no network", "--weights", "resnet50"], "--pretrained")
    refused(["-o", os.path.join(tmp, "new.h5"), *src, "--model", "resnet18"],
            ["no weights", "--weights FILE"], "a model without weights")
    refused(["-o", os.path.join(tmp, "new.h5"), *src, "--model", "resnet34", "--weights", wfile,
             *COMMON], ["do not fit resnet34"], "weights of another architecture")
    ok(not os.path.exists(os.path.join(tmp, "new.h5")) and
       not [p for p in os.listdir(tmp) if ".tmp-" in p], "no output or temporary file left")


def idx_cache(tmp, rng):
    d = os.path.join(tmp, "idx")
    raw = os.path.join(tmp, "tv", "FashionMNIST", "raw")
    os.makedirs(d)
    os.makedirs(raw)
    data = {}
    for stem, count in (("train", 6), ("t10k", 4)):
        images = rng.integers(0, 256, size=(count, 28, 28))
        labels = np.arange(count) % 3
        data[stem] = (images, labels)
        write_idx(os.path.join(d, stem + "-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(d, stem + "-labels-idx1-ubyte"), labels)
        write_idx(os.path.join(raw, stem + "-images-idx3-ubyte"), images)
        write_idx(os.path.join(raw, stem + "-labels-idx1-ubyte"), labels)
    model = ["--model", "resnet18", "--random-init", "--seed", "5", *COMMON]
    rc, err = export("-o", os.path.join(tmp, "idx.h5"), "--idx", d, *model)
    ok(rc == 0, "--idx: IDX files (gzip and plain) to a cache (exit %d)" % rc, err)
    rc, err = export("-o", os.path.join(tmp, "tv.h5"), "--torchvision",
                     "FashionMNIST=" + os.path.join(tmp, "tv"), *model)
    ok(rc == 0, "--torchvision FashionMNIST from its raw files (exit %d)" % rc, err)
    with h5py.File(os.path.join(tmp, "idx.h5"), "r") as a, \
            h5py.File(os.path.join(tmp, "tv.h5"), "r") as b:
        for split, stem in (("train", "train"), ("test", "t10k")):
            za = a[split]["features/resnet18"][()]
            ok(za.shape == (len(data[stem][0]), 512) and
               np.array_equal(a[split]["labels"][()], data[stem][1]),
               "--idx %s: [%d, 512] with the IDX labels" % (split, len(data[stem][0])))
            ok(np.array_equal(za, b[split]["features/resnet18"][()]),
               "--idx %s equals torchvision's FashionMNIST bit for bit" % split)
            net = seeded(torchvision.models.resnet18, 5)
            with torch.no_grad():
                want = np.concatenate([resnet_pooled(net, preprocess(Image.fromarray(
                    im.astype(np.uint8), "L"))).numpy() for im in data[stem][0]])
            close(za, want, "--idx %s: grayscale copied to 3 channels," % split)
        ok(list(b.attrs["class_names"]) == list(torchvision.datasets.FashionMNIST.classes),
           "--torchvision: class_names from the dataset")
    bad = os.path.join(tmp, "bad")
    shutil.copytree(d, bad)
    with open(os.path.join(bad, "t10k-labels-idx1-ubyte"), "r+b") as f:
        f.truncate(10)
    rc, err = export("-o", os.path.join(tmp, "bad.h5"), "--idx", bad, *model)
    ok(rc == 1 and "t10k-labels-idx1-ubyte: header says 4 = 4 bytes, the file holds 2" in err,
       "a truncated IDX file is refused, naming it", err)


def main():
    rng = np.random.default_rng(1)
    tmp = tempfile.mkdtemp()
    try:
        cache, src, wfile = image_folder_cache(tmp, rng)
        refusals(tmp, cache, src, wfile)
        idx_cache(tmp, rng)
    finally:
        shutil.rmtree(tmp)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
