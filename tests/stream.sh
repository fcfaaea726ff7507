#!/bin/sh
# stream.sh - `load ... stream` and `set memory`: a cache larger than the
# cap the session sets is trained on (warmup and joint) and inferred with
# streamed, and gives the same bits as the in-memory run without a cap;
# the capped session stays under its cap (peak RSS); a gzip-chunked file
# streams to the same bits too; a cap below one batch and other bad input
# are clear errors that change nothing.  The files are written by h5py at
# test time.  Skips when no python3 here can import h5py.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
. "$top_srcdir/tests/tap.sh"

if ! py=$(python_with 'import h5py, numpy'); then
	echo "1..0 # SKIP no python3 with h5py and numpy"
	exit 0
fi
# The caps are resident-set sizes; AddressSanitizer's shadow memory and
# freed-block quarantine count in them (a 72M session then cannot train),
# so the sanitizer build leaves this file to the plain and MPI builds.
if ldd "$RNR" 2>/dev/null | grep -q 'libasan'; then
	echo "1..0 # SKIP rnr is built with AddressSanitizer: its shadow memory counts in the capped resident set"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$py" - "$RNR" "$tmp" <<'EOF'
import os, subprocess, sys
import h5py, numpy as np

rnr, tmp = os.path.abspath(sys.argv[1]), sys.argv[2]
os.chdir(tmp)
n_test = 0

def ok(cond, what, detail=""):
    global n_test
    n_test += 1
    print(("ok" if cond else "not ok"), n_test, "-", what)
    if not cond and detail:
        for line in str(detail).splitlines():
            print("#", line)

def run(name, text):
    """rnr -n on a command file; (exit status, output, peak RSS in bytes)"""
    path = os.path.join(tmp, name + ".rnr")
    with open(path, "w") as f:
        f.write(text)
    # measured by a fresh small Python: the child's peak RSS counts what its
    # parent held when it was forked, and this one is big with numpy
    outpath = path + ".out"
    m = subprocess.run([sys.executable, "-c", MEASURE, rnr, path, outpath],
                       capture_output=True, text=True, env=dict(os.environ, RNR_THREADS="2"))
    status, maxrss = (int(v) for v in m.stdout.split())
    with open(outpath) as f:
        text = f.read()
    return status, text, maxrss * 1024

MEASURE = """
import os, sys
with open(sys.argv[3], "w") as out:
    pid = os.fork()
    if pid == 0:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        os.execv(sys.argv[1], [sys.argv[1], "-n", sys.argv[2]])
    _, status, ru = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_maxrss)
"""

def same_bits(a, b):
    """every dataset of a equal to b's, bit for bit; (ok, first difference)"""
    diff = []
    with h5py.File(os.path.join(tmp, a), "r") as fa, h5py.File(os.path.join(tmp, b), "r") as fb:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                x, y = obj[()], fb[name][()]
                if x.shape != y.shape or x.tobytes() != y.tobytes():
                    diff.append(name)
        fa.visititems(visit)
        n = [0]
        fa.visititems(lambda name, o: n.__setitem__(0, n[0] + isinstance(o, h5py.Dataset)))
    return not diff and n[0] > 0, diff[:3]

rng = np.random.default_rng(7)
models, n, d = 8, 20000, 128   # train features: 8 x 20000 x 128 float32 = 78 MiB
with h5py.File(os.path.join(tmp, "big.h5"), "w") as f:
    for split, rows in (("train", n), ("test", 1000)):
        g = f.create_group(split)
        for k in range(models):
            g["features/m%d" % k] = rng.standard_normal((rows, d)).astype("f4")
        g["labels"] = rng.integers(0, 10, rows)
with h5py.File(os.path.join(tmp, "big.h5"), "r") as f, \
     h5py.File(os.path.join(tmp, "gz.h5"), "w") as o:
    for split, rows in (("train", 3000), ("test", 500)):
        g = o.create_group(split)
        fe = g.create_group("features")
        for k in range(2):
            fe.create_dataset("m%d" % k, data=f[split]["features/m%d" % k][:rows],
                              chunks=(97 + k, d), compression="gzip", shuffle=bool(k))
        g["labels"] = f[split]["labels"][:rows]

session = """mlp c.train depth=2 seed=1 as dec
train dec c.train bank=psi seed=3 epochs=2 warmup=1 batch=256
infer dec c.test as pte seed=4 epochs=2 batch=200
single c.train m1 as s1
save dec psi pte s1 to %s
"""
cap = 72 << 20
rc, out, _ = run("mem", "load big.h5 as c\n" + session % "mem.h5")
ok(rc == 0, "in memory: trains, infers and saves", out)
rc, out, peak = run("capped", "set memory 72M\nget memory\nload big.h5 as c\n"
                    "load big.h5 as c stream\nshow c.train\n" + session % "stream.h5")
ok("72M" in out, "get memory prints the cap as set", out)
ok("big.h5: all its splits (`load ... stream` keeps them on disk) would need" in out and
   "memory cap (set memory) of 72.0 MiB" in out,
   "under a cap below the cache, load refuses it and names stream", out)
ok("streamed from disk" in out and "features stay in big.h5 (group /train)" in out,
   "load ... stream reports and shows the streamed cache", out)
ok(rc == 1 and out.count("\ndone: ") == 2 and "saved 4 objects" in out,
   "streamed under the cap: train and infer finish, save writes", out)
good, diff = same_bits("mem.h5", "stream.h5")
ok(good, "streamed run = in-memory run, bit for bit (MLPs, both banks, single)", diff)
ok(peak < cap, "the capped session's peak RSS stays under the cap (%.1f MiB < 72 MiB)" %
   (peak / 2**20))

# one model's dataset alone bigger than the cap: the plan of a streamed load
# must not hold a dataset it never reads whole against the memory left
with h5py.File(os.path.join(tmp, "one.h5"), "w") as f:
    g = f.create_group("train")
    g["features/m0"] = rng.standard_normal((40000, 512)).astype("f4")  # 78 MiB
    g["labels"] = rng.integers(0, 10, 40000)
rc, out, peak = run("one", "set memory 72M\nload one.h5 as c stream\nsvd c.train as sp\n")
ok(rc == 0 and "streamed from disk" in out and "would need" not in out,
   "a streamed model dataset bigger than the cap loads, and its spectrum runs", out)
ok(peak < cap, "that session's peak RSS stays under the cap (%.1f MiB < 72 MiB)" %
   (peak / 2**20))

# a gzip-chunked file (chunk rows not dividing the batch): whole chunks read
rc1, out1, _ = run("gzmem", "load gz.h5 as c\n" + session % "gzmem.h5")
rc2, out2, _ = run("gzstr", "load gz.h5 as c stream\n" + session % "gzstr.h5")
good, diff = same_bits("gzmem.h5", "gzstr.h5")
ok(rc1 == 0 and rc2 == 0 and good, "gzip-chunked file: streamed = in memory, bit for bit",
   out1 + out2 + str(diff))
ok(same_bits("gzstr.h5", "gzstr.h5")[0] and
   h5py.File(os.path.join(tmp, "gzstr.h5"), "r")["s1/psi"].shape == (3000, d),
   "single of a streamed cache is the model's rows")

# a saved streamed cache is the cache
rc1, out, _ = run("savec", "load gz.h5 as c stream\nsave c.train to sc.h5\n")
rc2, out2, _ = run("savem", "load gz.h5 as c\nsave c.train to mc.h5\n")
good, diff = same_bits("mc.h5", "sc.h5")
ok(rc1 == 0 and rc2 == 0 and good, "save of a streamed cache writes the same datasets as in memory",
   out + str(diff))

# the spectrum: the Gram accumulated over blocks read from disk
svd = "svd c.train:m0 as s0\nsvd c.test:m1 method=gram normalize=off as s1\nsave s0 s1 to %s\n"
rc1, out1, _ = run("svdmem", "load gz.h5 as c\n" + svd % "svdmem.h5")
rc2, out2, _ = run("svdstr", "load gz.h5 as c stream\n" + svd % "svdstr.h5" +
                   "svd c.train:m0 method=svd as s2\n")
good, diff = same_bits("svdmem.h5", "svdstr.h5")
ok(rc1 == 0 and good, "svd (Gram) of a streamed cache = in memory, bit for bit",
   out1 + out2 + str(diff))
ok("method=svd of a 3000 x 128 matrix on disk: only the Gram path of a tall matrix" in out2,
   "svd method=svd of a streamed cache: a clear error", out2)

# k-NN with the train side streamed in tiles (20000 rows: 5 tiles of 4096)
knn = ("knn c.train:m0 c.test:m0 k=10,20,200 as k0\n"
       "compare c.train:m3/c.test:m3 c.train:m1/c.test:m2 k=20 as k1\nsave k0 k1 to %s\n")
rc1, out1, _ = run("knnmem", "load big.h5 as c\n" + knn % "knnmem.h5")
rc2, out2, _ = run("knnstr", "set memory 72M\nload big.h5 as c stream\n" + knn % "knnstr.h5")
good, diff = same_bits("knnmem.h5", "knnstr.h5")
ok(rc1 == 0 and rc2 == 0 and good and
   [l for l in out1.splitlines() if " -> " in l] == [l for l in out2.splitlines() if " -> " in l],
   "knn/compare with a streamed train side = in memory (the tables, bit for bit)",
   out1 + out2 + str(diff))

# bad input
rc, out, _ = run("bad", "load gz.h5 as c stream\nmlp c.train depth=2 seed=1 as dec\n"
                 "set memory 100K\ntrain dec c.train bank=psi epochs=1 batch=512\nlist\n"
                 "set memory 12x\nget memory\nset memory off\nconcat c.train as k\n"
                 "load gz.h5 as z streem\nload 'x{model}.h5' as y stream\n")
ok("the memory cap (set memory) of 0.1 MiB is smaller than one batch of c.train: "
   "512 rows x 384 floats" in out, "a cap below one batch: a clear error with the sizes", out)
ok("psi" not in out.split("train:")[-1].split("memory=12x")[0],
   "the refused train adds no bank", out)
ok("memory=12x: not a size" in out and "\n100K\n" in out,
   "a bad size is refused and the cap stays as it was", out)
ok("c.train is streamed from gz.h5: concat needs it in memory" in out,
   "concat of a streamed cache: a clear error", out)
ok("unexpected 'streem' after the file (did you mean `stream`?)" in out,
   "a misspelt stream is refused", out)
ok("streaming reads one HDF5 cache file, not a pattern" in out,
   "stream with a pattern layout is refused", out)

# a value that is not finite is found by the load's one pass, with its row
with h5py.File(os.path.join(tmp, "nan.h5"), "w") as f:
    x = np.ones((300, 4), "f4")
    x[211, 2] = np.nan
    f["train/features/a"] = x
rc, out, _ = run("nan", "load nan.h5 as c stream\nlist\n")
ok("nan.h5: /train/features/a: row 211, column 2 (counting from 0) is NaN" in out and
   "c.train" not in out, "NaN in a streamed file: refused at load naming row and column", out)
# a streamed file truncated after the load: refused, not read as zeros
import shutil
shutil.copy("gz.h5", "trunc.h5")
p = subprocess.Popen([rnr, "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
p.stdin.write("load trunc.h5 as c stream\nmlp c.train depth=2 seed=1 as dec\necho loaded\n")
p.stdin.flush()
seen = ""
while "loaded" not in seen:
    line = p.stdout.readline()
    if not line:
        break
    seen += line
os.truncate("trunc.h5", os.path.getsize("trunc.h5") // 2)
out, _ = p.communicate("train dec c.train bank=psi epochs=1 batch=100\nsingle c.train m0 as s\n"
                       "list\n")
ok("train: trunc.h5: the file changed on disk since it was loaded with `stream`" in out and
   "single: trunc.h5: the file changed on disk" in out and "psi" not in out,
   "a streamed file changed after the load: a clear error, nothing added", seen + out)
print("1..%d" % n_test)
EOF
