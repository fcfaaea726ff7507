#!/bin/sh
# stream.sh - a streamed cache against the same cache in memory: the epoch
# time of training (warmup and joint) as a ratio (in memory / streamed:
# 1.0 when the reads hide behind the step, goal >= 0.8) and each run's
# peak RSS against the cap the streamed run sets.
#
#   bench/stream.sh [RNR] [N] [D] [M] [CAP]
#
# defaults: build/rnr (or ./rnr), n = 16384 rows, d = 1024, m = 4 models
# (256 MiB of float32 features), CAP = 448M.  The data is seeded and
# written by h5py to a temporary directory (contiguous: h5py's default).
# The file stays in the page cache between runs: this measures rnr's read
# path (HDF5 hyperslabs, the gather, the prefetch thread) and not a disk;
# on a cold disk the streamed epoch reads n * m * d * 4 bytes in
# random-row order.
set -u
rnr=${1:-}
[ -n "$rnr" ] || for c in build/rnr ./rnr; do [ -x "$c" ] && rnr=$c && break; done
n=${2:-16384} d=${3:-1024} m=${4:-4} cap=${5:-448M}
py=${PYTHON3:-/usr/bin/python3}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rnr=$(cd "$(dirname "$rnr")" && pwd)/$(basename "$rnr")

"$py" - "$tmp/c.h5" "$n" "$d" "$m" <<'EOF' || exit 1
import sys, h5py, numpy as np
path, n, d, m = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(1)
with h5py.File(path, "w") as f:
    for k in range(m):
        f["train/features/m%d" % k] = rng.standard_normal((n, d), dtype="f4")
    f["train/labels"] = rng.integers(0, 10, n)
EOF

session='mlp c.train depth=2 seed=1 as dec
train dec c.train bank=psi seed=1 epochs=3 warmup=1 batch=256
save dec psi to OUT'
printf 'load c.h5 as c\n%s\n' "$session" | sed "s/OUT/mem.h5/" > "$tmp/mem.rnr"
printf 'set memory %s\nload c.h5 as c stream\n%s\n' "$cap" "$session" | sed "s/OUT/str.h5/" \
	> "$tmp/str.rnr"

cd "$tmp" && "$py" - "$rnr" "$cap" <<'EOF'
import os, re, sys
import h5py
rnr, cap = sys.argv[1], sys.argv[2]

def run(name):
    """rnr on NAME.rnr: its output and its peak RSS (wait4 of a fork of this
    Python before numpy is imported here: small)"""
    with open(name + ".out", "w") as out:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(out.fileno(), 2)
            os.execv(rnr, [rnr, "-n", name + ".rnr"])
        _, status, ru = os.wait4(pid, 0)
    text = open(name + ".out").read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s failed:\n%s" % (name, text))
    return text, ru.ru_maxrss / 1024

def epochs(text):
    return [float(t) for t in re.findall(r"epoch \d+/\d+ .* ([0-9.]+)s$", text, re.M)]

mem, rss_mem = run("mem")
st, rss_st = run("str")
tm, ts = epochs(mem), epochs(st)
same = True
with h5py.File("mem.h5") as a, h5py.File("str.h5") as b:
    def cmp(name, o):
        global same
        if isinstance(o, h5py.Dataset):
            same &= a[name][()].tobytes() == b[name][()].tobytes()
    a.visititems(cmp)
print("epoch times in memory (s):", " ".join("%.2f" % t for t in tm))
print("epoch times streamed  (s):", " ".join("%.2f" % t for t in ts))
ratio = sum(tm[1:]) / sum(ts[1:])
print("ratio in memory / streamed, epochs 2..: %.3f (goal >= 0.8)" % ratio)
print("peak RSS: in memory %.1f MiB, streamed %.1f MiB under set memory %s" %
      (rss_mem, rss_st, cap))
print("MLPs and bank the same bits:", "yes" if same else "NO")
EOF
