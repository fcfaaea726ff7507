#!/usr/bin/python3
"""Independent recomputation of rnr's mixed-dims average (tests/mixed.sh).

    mixed-check.py CACHE.h5 DIR

DIR holds rnr's exports: pad.npy (avg, init=pad, 128 dims), proj.npy (init=proj
proj_seed=7, 128 dims), proj48.npy (init=proj, dim=48: the 128- and 64-d
models are projected down, the 32-d one embedded up).  This recomputes each
from the cache's raw features with numpy; the projections from a Python
xoshiro256** seeded as rnr seeds it (src/rng.c) and numpy Gram-Schmidt.
Prints one TAP line per check."""
import sys

import h5py
import numpy as np

M64 = (1 << 64) - 1


def splitmix(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


class Xoshiro:
    def __init__(self, seed, stream):
        x = (seed ^ ((stream * 0xD1B54A32D192ED03) & M64)) & M64
        self.s = []
        for _ in range(4):
            x, z = splitmix(x)
            self.s.append(z)

    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self, lo, hi):
        u = np.float32(self.next() >> 40) * np.float32(1.0 / 16777216.0)
        return np.float32(lo) + np.float32(hi - lo) * u


def projection(rows, cols, seed, model):
    g = Xoshiro(seed, 300 + model)
    r = np.array([g.uniform(-1.0, 1.0) for _ in range(rows * cols)],
                 dtype=np.float64).reshape(rows, cols)
    for a in range(rows):
        for _ in range(2):
            for p in range(a):
                r[a] -= (r[a] @ r[p]) * r[p]
        r[a] /= np.linalg.norm(r[a])
    return r


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def average(feats, d, init, seed):
    out = np.zeros((feats[0][1].shape[0], d))
    for j, z in feats:
        dj = z.shape[1]
        if dj == d:
            out += z
        elif init == "pad":
            out[:, :dj] += z
        elif dj < d:
            out += z @ projection(dj, d, seed, j)
        else:
            out += z @ projection(d, dj, seed, j).T
    return unit(out)


def main():
    cache, tmp = sys.argv[1], sys.argv[2]
    with h5py.File(cache, "r") as f:
        names = sorted(f["train/features"])  # rnr holds models by name
        feats = [(j, unit(f["train/features/" + n][:].astype(np.float64)))
                 for j, n in enumerate(names)]
    n = 0
    for name, d, init, seed in (("pad", 128, "pad", 0), ("proj", 128, "proj", 7),
                                ("proj48", 48, "proj", 7)):
        got = np.load("%s/%s.npy" % (tmp, name)).astype(np.float64)
        want = average(feats, d, init, seed)
        err = np.abs(got - want).max() if got.shape == want.shape else np.inf
        n += 1
        print("%s %d - %s: avg init=%s dim=%d against numpy (max |diff| %.2e)"
              % ("ok" if err < 2e-6 else "not ok", n, name, init, d, err))
    # the proj maps are orthonormal: the 32-d model's embedding keeps norms
    r = projection(32, 128, 7, 1)
    err = np.abs(r @ r.T - np.eye(32)).max()
    n += 1
    print("%s %d - projection rows orthonormal (max |R R^T - I| %.2e)"
          % ("ok" if err < 1e-12 else "not ok", n, err))
    # padding and projection differ (not the same map by accident)
    pad, proj = np.load(tmp + "/pad.npy"), np.load(tmp + "/proj.npy")
    n += 1
    print("%s %d - pad and proj differ" % ("ok" if np.abs(pad - proj).max() > 1e-2 else "not ok", n))
    print("1..%d" % n)


if __name__ == "__main__":
    main()
