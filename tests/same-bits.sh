#!/bin/sh
# same-bits.sh A.h5 B.h5 DATASET... - are these datasets of two HDF5 files
# bit-identical (same dtype, shape and bytes, so -0.0 and NaN count too)?
# Prints "identical", or the datasets that differ or are missing.  Uses
# python3-h5py when present, else h5dump -b.  Exit 0 identical, 1 not,
# 77 when neither tool is here (the caller skips).
set -u
a=$1 b=$2
shift 2
py=
for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
	if [ -n "$cand" ] && "$cand" -c 'import h5py' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -n "$py" ]; then
	"$py" - "$a" "$b" "$@" <<'EOF'
import sys
import h5py
a = h5py.File(sys.argv[1], "r")
b = h5py.File(sys.argv[2], "r")
bad = []
for name in sys.argv[3:]:
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
command -v h5dump >/dev/null 2>&1 || { echo "neither python3-h5py nor h5dump"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=
for d in "$@"; do
	h5dump -d "$d" -b LE -o "$tmp/a.bin" "$a" >/dev/null 2>&1 &&
		h5dump -d "$d" -b LE -o "$tmp/b.bin" "$b" >/dev/null 2>&1 &&
		cmp -s "$tmp/a.bin" "$tmp/b.bin" || bad="$bad $d"
done
echo "${bad:-identical}"
[ -z "$bad" ]
