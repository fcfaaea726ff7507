#!/bin/sh
# memory.sh - under an address-space limit (ulimit -v), requests that cannot
# fit are refused before allocating, with the size they need and the limit
# they exceed: a cache bigger than the limit (written with h5py: it only
# claims its size) and an MLP set too wide; the workspace is left as it was
# and later commands work.  The limit is the smallest of a few that lets
# rnr load the demo (OpenBLAS reserves more with more cores).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
data=$top_srcdir/data/fmnist-demo.h5

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$top_srcdir/tests/tap.sh"

limited() { # limited KB COMMANDS: rnr -c COMMANDS under ulimit -v KB
	# (timeout: a limit too small can leave OpenBLAS retrying for minutes)
	(ulimit -v "$1" && exec timeout 60 "$RNR" -n -c "$2") >"$tmp/out" 2>&1
}

# same_lists FILE PATTERN WHAT: the listings between the 1st and 2nd and
# the 3rd and 4th "@@" of FILE are equal and hold a line matching PATTERN
same_lists() {
	awk '/^@@$/ { k++; next } k == 1' "$tmp/$1" >"$tmp/a"
	awk '/^@@$/ { k++; next } k == 3' "$tmp/$1" >"$tmp/b"
	grep -q -- "$2" "$tmp/a" && cmp -s "$tmp/a" "$tmp/b"
	ok $? "$3"
	[ -s "$tmp/b" ] && cmp -s "$tmp/a" "$tmp/b" || cut -c1-300 "$tmp/$1" | sed 's/^/#   | /'
}

kb=
for try in 400000 800000 1600000 3200000; do
	if limited $try "set threads 1; load $data as fm; list" && grep -q '^fm.train ' "$tmp/out"; then
		kb=$try
		break
	fi
done
if [ -z "$kb" ]; then
	echo "1..0 # SKIP rnr does not start under ulimit -v 3200000 here"
	exit 0
fi
echo "# ulimit -v $kb"

# a cache of 1.25 times the limit, 1000 dims (h5py, when here)
rows=$((kb / 4 * 5 / 4))
bytes=$((rows * 4000))
big=
if py=$(h5py_python) && "$py" - "$tmp/big.h5" "$rows" <<'EOF'
import sys
import h5py
import numpy as np
rows = int(sys.argv[2])
with h5py.File(sys.argv[1], "w") as f:
    # never written: HDF5 allocates a contiguous dataset's storage late
    f.create_dataset("train/features/a", shape=(rows, 1000), dtype=np.float32)
EOF
then
	big="load $tmp/big.h5 as big;"
fi

# an MLP set of width W: 4 models x 2 layers x 128 x W floats, 1.25 x the limit
width=$((kb * 1024 / 4 * 5 / 4 / 1024))
limited $kb "set threads 1; load $data as fm; echo @@; list; echo @@; $big
mlp fm.train width=$width seed=1 as wide; echo @@; list; echo @@; avg fm.test as a; list"
st=$?
ok $([ $st = 1 ] && echo 0 || echo 1) "the refusals fail the run: exit status 1 (got $st)"
if [ -n "$big" ]; then
	has "a cache bigger than the limit is refused with its size and the limit" \
		"^rnr: load: $tmp/big.h5: /train/features/a would need $bytes bytes \([0-9.]+ MiB\), more than the [0-9.]+ MiB the address-space limit \(ulimit -v\) of [0-9.]+ MiB leaves$" \
		"$tmp/out"
else
	n=$((n + 1))
	echo "ok $n # SKIP no python3 with h5py to write the big cache"
fi
has "an MLP set bigger than the limit is refused with its size" \
	"^rnr: mlp: mlp parameters would need [0-9]+ bytes \([0-9.]+ MiB\), more than the [0-9.]+ MiB the address-space limit \(ulimit -v\) of [0-9.]+ MiB leaves$" \
	"$tmp/out"
same_lists out '^fm.train ' "the workspace is as it was"
has "and rnr goes on: a bank is made after the refusals" '^a +bank +1000 x 128 ' "$tmp/out"

# A training job whose buffers (3 copies of the MLPs' size for gradient
# and Adam moments) cannot fit, though its MLP set (half of what is left)
# does: refused when the job is created, the MLPs and the cache intact.
left=$(sed -n 's/.*more than the \([0-9]*\)\.[0-9] MiB the address-space limit.*/\1/p' "$tmp/out" | head -n 1)
width=$((${left:-100} * 1024 * 1024 / 2 / 4096))
limited $kb "set threads 1; set progress off; load $data as fm; mlp fm.train width=$width seed=1 as half; echo @@; list; echo @@;
train half fm.train bank=psi epochs=1; echo @@; list; echo @@"
cp "$tmp/out" "$tmp/job.out"
has "a training job that cannot fit is refused with its size" \
	"^rnr: train: the job's bank moments, batch and MLP buffers would need [0-9]+ bytes \([0-9.]+ MiB\), more than the [0-9.]+ MiB the address-space limit \(ulimit -v\) of [0-9.]+ MiB leaves$" \
	"$tmp/job.out"
same_lists job.out '^half ' "the refused job adds no bank and keeps the MLP set"

if grep -Eq 'Sanitizer|runtime error:' "$tmp/out" "$tmp/job.out"; then
	ok 1 "no sanitizer report"
else
	ok 0 "no sanitizer report"
fi

echo "1..$n"
[ "$failed" = 0 ]
