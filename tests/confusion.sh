#!/bin/sh
# confusion.sh - `confusion` on real features against an independent
# count: rnr's CSV export of the rotnet model of data/fmnist-demo.h5 (k=20,
# T=0.07, weighted vote) equals tests/fixtures/confusion-demo.csv, which
# tests/fixtures/confusion-sklearn.py made with numpy and scikit-learn's
# confusion_matrix; with python3-sklearn here the script runs again and
# must agree too (a SKIP without it).  The .h5 export holds the fixture's
# counts (read with h5py; a SKIP without it).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
. "$top_srcdir/tests/tap.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
demo=$top_srcdir/data/fmnist-demo.h5
fix=$top_srcdir/tests/fixtures/confusion-demo.csv

"$RNR" -n -c "load $demo as fm; single fm.train rotnet as tr; single fm.test rotnet as te;
	confusion tr te as cm; export cm to $tmp/cm.csv; export cm to $tmp/cm.h5" \
	>"$tmp/out" 2>&1
ok $? "confusion and export of the demo's rotnet bank run"
if cmp -s "$tmp/cm.csv" "$fix"; then
	ok 0 "rnr's confusion CSV equals the scikit-learn fixture"
else
	ok 1 "rnr's confusion CSV equals the scikit-learn fixture"
	diff "$fix" "$tmp/cm.csv" | sed 's/^/#   /'
fi
has "the terminal table: Shirt 40 of 100 right" '^6 Shirt +100 +40 +40.00$' "$tmp/out"
has "the drawn matrix: Sandal's row" '^5 Sandal +\. +\. +\. +\. +\. +\[71\] +\. +16 +\. +13' "$tmp/out"

py=$(python_with 'import sklearn, numpy') || py=
if [ -z "$py" ]; then
	ok 0 "scikit-learn recomputes the matrix" "SKIP no python3 with sklearn"
else
	"$py" "$top_srcdir/tests/fixtures/confusion-sklearn.py" --file "$demo" >"$tmp/sk.csv"
	if cmp -s "$tmp/cm.csv" "$tmp/sk.csv"; then
		ok 0 "scikit-learn recomputes the matrix: the same CSV"
	else
		ok 1 "scikit-learn recomputes the matrix: the same CSV"
		diff "$tmp/sk.csv" "$tmp/cm.csv" | sed 's/^/#   /'
	fi
fi

# The .h5 export against the committed fixture: needs h5py only.
py=$(python_with 'import h5py, numpy') || py=
if [ -z "$py" ]; then
	ok 0 "the .h5 export holds the counts" "SKIP no python3 with h5py"
else
	"$py" - "$tmp/cm.h5" "$fix" <<'PY' >"$tmp/h5" 2>&1
import sys, h5py, numpy as np
g = h5py.File(sys.argv[1], "r")["cm"]
want = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, usecols=range(5, 15))
ok = (g["count"][...] == want).all() and g.attrs["rnr_type"] == "confusion" \
	and g.attrs["k"] == 20 and g.attrs["vote"] == "weighted" and len(g.attrs["class_names"]) == 10
print("same" if ok else "differ")
PY
	check "the .h5 export holds the counts, k, vote and class names" same "$(cat "$tmp/h5")"
fi
echo "1..$n"
[ "$failed" = 0 ]
