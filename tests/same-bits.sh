#!/bin/sh
# same-bits.sh A.h5 B.h5 PATH... - are the datasets at these paths of two
# HDF5 files bit-identical (same dtype, shape and bytes, so -0.0 and NaN
# count too)?  A PATH that is a group stands for every dataset under it.
# Prints "identical", or the datasets that differ or are missing.  Uses
# python3-h5py when present, else h5ls and h5dump -b.  Exit 0 identical,
# 1 not, 77 when neither tool is here (the caller skips).
set -u
: "${top_srcdir:=$(dirname "$0")/..}"
. "$top_srcdir/tests/tap.sh"
a=$1 b=$2
shift 2
if py=$(h5py_python); then
	"$py" - "$a" "$b" "$@" <<'EOF'
import sys
import h5py
a = h5py.File(sys.argv[1], "r")
b = h5py.File(sys.argv[2], "r")
names = []
for p in sys.argv[3:]:
    if isinstance(a.get(p), h5py.Group):
        a[p].visititems(lambda n, o: names.append(p + "/" + n) if isinstance(o, h5py.Dataset) else None)
    else:
        names.append(p)
bad = []
for name in names:
    if name not in a or name not in b:
        bad.append(name + " (missing)")
        continue
    x, y = a[name][()], b[name][()]
    if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
        bad.append(name)
print(" ".join(bad) if bad else "identical")
sys.exit(1 if bad else 0)
EOF
	exit $?
fi
command -v h5dump >/dev/null 2>&1 && command -v h5ls >/dev/null 2>&1 ||
	{ echo "neither python3-h5py nor h5dump"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
names=
for p in "$@"; do
	# h5ls -r lists a group's datasets as /NAME (a dataset itself without /)
	sub=$(h5ls -r "$a$p" 2>/dev/null | sed -n 's|^\(/[^ ]*\)  *Dataset.*|\1|p')
	if [ -n "$sub" ]; then
		for s in $sub; do names="$names $p$s"; done
	else
		names="$names $p"
	fi
done
bad=
for d in $names; do
	h5dump -d "$d" -b LE -o "$tmp/a.bin" "$a" >/dev/null 2>&1 &&
		h5dump -d "$d" -b LE -o "$tmp/b.bin" "$b" >/dev/null 2>&1 &&
		cmp -s "$tmp/a.bin" "$tmp/b.bin" || bad="$bad $d"
done
echo "${bad:-identical}"
[ -z "$bad" ]
