"""export-readme.py - the three commands of the README's "Bring your own
features" section, run exactly as written (run by tests/torch-python.sh).

In a scratch directory: pets/train and pets/test in the ImageFolder layout
(3 classes of generated JPEGs), the two weights files the commands name
(random ResNet-50 state_dicts: a whole one, and a backbone without `fc`),
`rnr-export` (held to --threads 2) and `rnr` on PATH (this tree's); then
each command line of the section through sh, and checks of what they made
and printed."""

import os
import re
import shutil
import stat
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
RNR = os.path.abspath(os.environ.get("RNR", "./rnr"))
TOOL = os.path.abspath(os.path.join(top_srcdir, "tools", "rnr-export"))



def readme_commands():
    """The `$ ` lines of the section, backslash continuations joined."""
    with open(os.path.join(top_srcdir, "README"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^Bring your own features\n-+\n(.*?)\n\n\n", text, re.S | re.M)
    if not m:
        return []
    cmds = []
    cont = False
    for line in m.group(1).splitlines():
        if cont:
            cmds[-1] += " " + line.strip()
        elif line.startswith("    $ "):
            cmds.append(line[len("    $ "):])
        else:
            continue
        cont = cmds[-1].endswith("\\")
        if cont:
            cmds[-1] = cmds[-1][:-1].rstrip()
    return cmds


def make_pets(root, rng):
    for split, per_class in (("train", 4), ("test", 2)):
        for c in ("cat", "dog", "owl"):
            d = os.path.join(root, "pets", split, c)
            os.makedirs(d)
            base = rng.uniform(0, 255, size=3)
            for i in range(per_class):
                px = np.clip(base + rng.normal(0, 30, size=(48, 64, 3)), 0, 255)
                Image.fromarray(px.astype(np.uint8), "RGB").save(os.path.join(d, "%d.jpg" % i))


def make_weights(root, cmds):
    """Random state_dicts under the names the commands give to --weights."""
    files = [w for c in cmds for w in re.findall(r"--weights (\S+)", c)]
    for k, w in enumerate(files):
        torch.manual_seed(100 + k)
        sd = torchvision.models.resnet50().state_dict()
        if k == 1:  # a self-supervised backbone comes without the classifier
            sd = {key: v for key, v in sd.items() if not key.startswith("fc.")}
        torch.save(sd, os.path.join(root, w))
    return files


def make_path(root):
    bindir = os.path.join(root, "bin")
    os.makedirs(bindir)
    os.symlink(RNR, os.path.join(bindir, "rnr"))
    wrapper = os.path.join(bindir, "rnr-export")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "%s" "%s" --threads 2 "$@"\n' % (sys.executable, TOOL))
    os.chmod(wrapper, stat.S_IRWXU)
    return bindir


def main():
    cmds = readme_commands()
    if not ok(len(cmds) == 3 and cmds[0].startswith("rnr-export ")
              and cmds[2].startswith("rnr -c "),
              "the README section has three commands (rnr-export twice, rnr -c)", cmds):
        plan()
        return 1
    tmp = tempfile.mkdtemp()
    try:
        make_pets(tmp, np.random.default_rng(2))
        files = make_weights(tmp, cmds)
        ok(len(files) == 2, "two weights files named: %s" % files)
        env = dict(os.environ, PATH=make_path(tmp) + os.pathsep + os.environ["PATH"])
        outs = []
        for c in cmds:
            r = subprocess.run(["sh", "-c", c], cwd=tmp, env=env, capture_output=True, text=True)
            outs.append(r.stdout)
            ok(r.returncode == 0, "$ %s (exit %d)" % (c, r.returncode), r.stdout + r.stderr)
        path = os.path.join(tmp, "pets.h5")
        with h5py.File(path, "r") as f:
            got = {s: {m: f[s]["features"][m].shape for m in f[s]["features"]}
                   for s in ("train", "test")}
            ok(got == {"train": {"resnet50": (12, 2048), "dino": (12, 2048)},
                       "test": {"resnet50": (6, 2048), "dino": (6, 2048)}},
               "pets.h5: resnet50 and dino, [12, 2048] and [6, 2048]", got)
            ok(list(f.attrs["models"]) == ["resnet50", "dino"], "models in the order added")
        table = outs[2]
        ok(re.search(r"^train -> test +k +T +majority +weighted", table, re.M) and
           re.search(r"^tr -> te +20 +0\.07 +\d+\.\d\d +\d+\.\d\d", table, re.M),
           "the third prints the k-NN table (tr -> te, k 20)", table)
    finally:
        shutil.rmtree(tmp)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
