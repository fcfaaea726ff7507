#!/usr/bin/python3
"""The reference side of `make bench`: the same work done the way a
researcher would do it in Python, timed on request.

rnr-bench starts this once and talks to it over stdin/stdout, one command
per line, one answer line per command ("ok ..." or "err ..."), so that its
own runs and these interleave on a noisy machine.  Commands:

  threads T                         torch/faiss threads (numpy's OpenBLAS
                                    threads come from OPENBLAS_NUM_THREADS,
                                    set by rnr-bench before starting us)
  train n d m B depth phase adam [bf16]
                                    build the step (phase warmup|joint|infer;
                                    adam dense|sparse) on seeded data -> ok;
                                    bf16: the forward (and so its backward)
                                    under torch.autocast("cpu", bfloat16)
  steps S                           time S steps of the built one -> ok sec/step
  knn ntr nte d k                   build faiss IndexFlatIP data -> ok
  knnrun                            time one search of all test rows -> ok sec
  svd path n d                      load float32 [n x d] from path -> ok
  svdrun                            numpy.linalg.svd(compute_uv=False) ->
                                    ok sec s1 s2 ... s10
  rss                               ok peak RSS in KiB of this process
  free                              drop what was built -> ok

The training step is Algorithm 1 of the paper in idiomatic PyTorch: one
nn.Sequential of Linear+ReLU per model, the bank an nn.Embedding (dense
Adam: torch.optim.Adam on its weight; "sparse": sparse=True gradients with
torch.optim.SparseAdam, PyTorch's lazy Adam), loss the mean of
1 - cosine_similarity, torch.optim.Adam on the MLPs.

With bf16 the step is what a researcher would write for mixed precision
on a CPU: the bank gather, the MLPs and the loss inside
torch.autocast("cpu", dtype=torch.bfloat16), backward and the optimisers
outside it; weights, gradients and Adam stay FP32.  In torch 1.13.1 the
Linear layers then run oneDNN bf16 matmuls (ONEDNN_VERBOSE=1 shows
brg:avx512_core_bf16 on this CPU for the forward and both backward
GEMMs), their outputs are bf16, cosine_similarity runs in FP32.
"""
import contextlib
import resource
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # the k-NN and SVD references still run
    torch = None
try:
    import faiss
except ImportError:
    faiss = None


def features(rng, n, d):
    """Non-negative rows of unit norm, like post-ReLU features at load."""
    z = rng.random((n, d), dtype=np.float32) ** 4
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    return z


class Step:
    def __init__(self, n, d, m, B, depth, phase, adam, bf16=False):
        self.bf16 = bf16
        rng = np.random.default_rng(1)
        self.Z = [torch.from_numpy(features(rng, n, d)) for _ in range(m)]
        self.B, self.n, self.phase = B, n, phase
        self.phis = nn.ModuleList()
        for _ in range(m):
            layers = []
            for _ in range(depth):
                layers += [nn.Linear(d, d), nn.ReLU()]
            self.phis.append(nn.Sequential(*layers))
        sparse = adam == "sparse"
        self.bank = nn.Embedding(n, d, sparse=sparse)
        with torch.no_grad():
            self.bank.weight.copy_(F.normalize(sum(self.Z), dim=1))
        self.opts = []
        if phase == "infer":
            self.phis.requires_grad_(False)
        else:
            self.opts.append(torch.optim.Adam(self.phis.parameters(), lr=3e-4))
        if phase == "warmup":
            self.bank.requires_grad_(False)
        elif sparse:
            self.opts.append(torch.optim.SparseAdam(self.bank.parameters(), lr=3e-4))
        else:
            self.opts.append(torch.optim.Adam(self.bank.parameters(), lr=3e-4))
        self.perm = torch.randperm(n, generator=torch.Generator().manual_seed(2))
        self.pos = 0
        self.run(1)  # Adam allocates its state at the first step

    def precision(self):
        if self.bf16:
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def run(self, steps):
        for _ in range(steps):
            if self.pos + self.B > self.n:
                self.pos = 0
            idx = self.perm[self.pos:self.pos + self.B]
            self.pos += self.B
            with self.precision():
                x = self.bank(idx)
                loss = 0.0
                for phi, z in zip(self.phis, self.Z):
                    loss = loss + (1 - F.cosine_similarity(phi(x), z[idx], dim=1)).mean()
                loss = loss / len(self.phis)
            for o in self.opts:
                o.zero_grad()
            loss.backward()
            for o in self.opts:
                o.step()


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


def main():
    built = None
    for line in sys.stdin:
        a = line.split()
        if not a:
            continue
        try:
            if a[0] == "threads":
                if torch is not None:
                    torch.set_num_threads(int(a[1]))
                if faiss is not None:
                    faiss.omp_set_num_threads(int(a[1]))
                out = "ok"
            elif a[0] == "train":
                if torch is None:
                    raise RuntimeError("no torch")
                built = None
                n, d, m, B, depth = map(int, a[1:6])
                if len(a) > 8 and a[8] != "bf16":
                    raise RuntimeError("unknown precision " + a[8])
                built = Step(n, d, m, B, depth, a[6], a[7], len(a) > 8)
                out = "ok"
            elif a[0] == "steps":
                s = int(a[1])
                sec, _ = timed(lambda: built.run(s))
                out = "ok %.6f" % (sec / s)
            elif a[0] == "knn":
                if faiss is None:
                    raise RuntimeError("no faiss")
                built = None
                ntr, nte, d, k = map(int, a[1:5])
                rng = np.random.default_rng(3)
                index = faiss.IndexFlatIP(d)
                index.add(features(rng, ntr, d))
                built = (index, features(rng, nte, d), k)
                out = "ok"
            elif a[0] == "knnrun":
                index, q, k = built
                sec, _ = timed(lambda: index.search(q, k))
                out = "ok %.6f" % sec
            elif a[0] == "svd":
                built = None
                n, d = int(a[2]), int(a[3])
                built = np.fromfile(a[1], dtype=np.float32, count=n * d).reshape(n, d)
                out = "ok"
            elif a[0] == "svdrun":
                sec, s = timed(lambda: np.linalg.svd(built, compute_uv=False))
                out = "ok %.6f " % sec + " ".join("%.9g" % v for v in s[:10])
            elif a[0] == "rss":
                out = "ok %d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            elif a[0] == "free":
                built = None
                out = "ok"
            else:
                out = "err unknown command " + a[0]
        except Exception as e:  # the answer says what failed; we keep serving
            out = "err " + str(e).replace("\n", " ")
        print(out, flush=True)


if __name__ == "__main__":
    main()
