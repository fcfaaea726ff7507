#!/bin/sh
# badinput.sh - inputs rnr cannot make itself, written with h5py: a cache
# without labels, a cache whose models differ in dims, a cache lacking a
# model and one with other dims.  Each bad command fails with its message
# and leaves the workspace as it was (`list` before and after the failures
# is the same); what is allowed on such caches still works.
# Skips when no python3 here can import h5py (Debian: python3-h5py).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
data=$top_srcdir/data/fmnist-demo.h5

py=
for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
	if [ -n "$cand" ] && "$cand" -c 'import h5py, numpy' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	echo "1..0 # SKIP no python3 with h5py and numpy to write the input files"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

if ! "$py" - "$data" "$tmp" <<'EOF'
import sys
import h5py
import numpy as np
demo = h5py.File(sys.argv[1], "r")
tmp = sys.argv[2]
rng = np.random.default_rng(1)
with h5py.File(tmp + "/nolabels.h5", "w") as f:
    for m in ("simclr", "barlow"):
        f["test/features/" + m] = demo["test/features/" + m][:40]
with h5py.File(tmp + "/dims.h5", "w") as f:
    f["train/features/a"] = np.abs(rng.normal(size=(40, 8))).astype(np.float32)
    f["train/features/b"] = np.abs(rng.normal(size=(40, 16))).astype(np.float32)
    f["train/labels"] = np.arange(40) % 4
with h5py.File(tmp + "/two.h5", "w") as f:
    for m in ("simclr", "barlow"):
        f["test/features/" + m] = demo["test/features/" + m][:40]
    f["test/labels"] = demo["test/labels"][:40]
with h5py.File(tmp + "/d64.h5", "w") as f:
    for m in ("simclr", "barlow", "rotnet", "dae"):
        f["test/features/" + m] = demo["test/features/" + m][:40, :64]
    f["test/labels"] = demo["test/labels"][:40]
EOF
then
	echo "Bail out! could not write the input files with $py"
	exit 1
fi

. "$top_srcdir/tests/tap.sh"
# expect_error FILE LINE MESSAGE: FILE.out has "FILE.rnr:LINE: MESSAGE"
expect_error() {
	want="$tmp/$1.rnr:$2: $3"
	if grep -Fxq -- "$want" "$tmp/$1.out"; then
		ok 0 "$1.rnr:$2: $3"
	else
		ok 1 "$1.rnr:$2: $3"
		echo "#   expected the line: $want"
		sed 's/^/#   | /' "$tmp/$1.out"
	fi
}
has() { # has FILE PATTERN WHAT
	if grep -Eq -- "$2" "$tmp/$1.out"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   expected a line matching: $2"
		sed 's/^/#   | /' "$tmp/$1.out"
	fi
}
# unchanged NAME: the two listings between "@@ list" markers are equal
unchanged() {
	# (the error lines, on stderr, fall between them: left out)
	awk '/^@@ list/ { k++; next } /^@@/ { k = 0 } k == 1' "$tmp/$1.out" | grep -v '\.rnr:[0-9]*: ' >"$tmp/a"
	awk '/^@@ list/ { k++; next } /^@@/ { k = 0 } k == 2' "$tmp/$1.out" >"$tmp/b"
	if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then
		ok 0 "$1: the failures left the workspace as it was"
	else
		ok 1 "$1: the failures left the workspace as it was"
		diff -u "$tmp/a" "$tmp/b" | sed 's/^/#   /'
	fi
}
# run NAME: the commands on stdin as the file $tmp/NAME.rnr
run() {
	cat >"$tmp/$1.rnr"
	"$RNR" -n "$tmp/$1.rnr" >"$tmp/$1.out" 2>&1
	st=$?
	if [ "$st" = 1 ]; then
		ok 0 "$1: exit status 1"
	else
		ok 1 "$1: exit status 1 (got $st)"
	fi
}

# 1. no labels: k-NN and subset refuse; training (self-supervised) works
run nolabels <<EOF
set threads 1
set progress off
load $data as fm
load $tmp/nolabels.h5 as nl
avg nl.test as nla
avg fm.test models=simclr,barlow as fma
echo '@@ list'
list
knn nla nla
knn fma nla
knn nla fma as t
compare fma/fma nla/nla as t
subset nl.test per_class=1 as x
echo '@@ list'
list
echo '@@'
mlp nl.test seed=1 as nd
train nd nl.test epochs=1 batch=40
EOF
has nolabels '^nl.test: 40 rows, 2 models \(barlow 128, simclr 128\), no labels$' "a cache without labels loads"
expect_error nolabels 9 "knn: nla has no labels (average of 2 normalised features of nl.test): k-NN accuracy needs labels on both banks"
expect_error nolabels 10 "knn: nla has no labels (average of 2 normalised features of nl.test): k-NN accuracy needs labels on both banks"
expect_error nolabels 11 "knn: nla has no labels (average of 2 normalised features of nl.test): k-NN accuracy needs labels on both banks"
expect_error nolabels 12 "compare: nla has no labels (average of 2 normalised features of nl.test): k-NN accuracy needs labels on both banks"
expect_error nolabels 13 "subset: nl.test has no labels to stratify by"
unchanged nolabels
has nolabels '^done: psi after 1 epochs, loss [0-9.]+$' "training needs no labels"

# 2. models of other dims: the average pads or projects them to the bank's
# dims; what cannot be done fails and changes nothing
run dims <<EOF
set threads 1
set progress off
load $tmp/dims.h5 as dm
concat dm.train as c24
avg dm.train models=b as b16
mlp dm.train seed=1 as dd
avg dm.train as a16
avg dm.train dim=12 init=proj as p12
echo '@@ list'
list
avg dm.train dim=8 init=pad as x
avg dm.train models=a,b init=sideways as x
train dd dm.train epochs=1 batch=40 init=proj proj_seed=-1
infer dd dm.train epochs=1 batch=40 init=nope as x
knn c24 b16
echo '@@ list'
list
EOF
has dims '^dm.train: 40 rows, 2 models \(a 8, b 16\), labels in 4 classes$' "a cache with models of 8 and 16 dims loads"
has dims '^c24: bank 40 x 24 ' "concat adds the dims up"
has dims '^a16: bank 40 x 16 .*in 16 dims \(init=proj proj_seed=0\)' "avg of mixed dims projects to the largest"
has dims '^p12: bank 40 x 12 .*init=proj proj_seed=0' "avg init=proj maps any dims"
expect_error dims 11 "avg: dm.train: model b has 16 dims, more than the bank's 8: init=pad cannot shrink it (use init=proj or dim=16)"
expect_error dims 12 "avg: init=sideways: expected one of pad, proj"
expect_error dims 13 "train: proj_seed=-1: not a non-negative integer"
expect_error dims 14 "infer: init=nope: expected one of pad, proj"
expect_error dims 15 "knn: c24 has 24 dims, b16 has 16"
unchanged dims

# 3. MLP sets on caches lacking a model or with other dims
run models <<EOF
set threads 1
set progress off
load $data as fm
load $tmp/two.h5 as two
load $tmp/d64.h5 as d64
mlp fm.test seed=1 as dec
mlp two.test seed=1 as d2
echo '@@ list'
list
infer dec two.test epochs=1 as x
train dec two.test epochs=1 batch=40
infer dec d64.test epochs=1 as x
infer d2 d64.test epochs=1 as x
train d2 d64.test epochs=1 batch=40
echo '@@ list'
list
echo '@@'
infer d2 fm.test epochs=1 batch=500 as y
EOF
expect_error models 10 "infer: mlp dec decodes model 'rotnet', which cache two.test does not have"
expect_error models 11 "train: mlp dec decodes model 'rotnet', which cache two.test does not have"
expect_error models 12 "infer: mlp dec outputs 128 dims for 'simclr'; d64.test has 64"
expect_error models 13 "infer: mlp d2 outputs 128 dims for 'barlow'; d64.test has 64"
expect_error models 14 "train: mlp d2 outputs 128 dims for 'barlow'; d64.test has 64"
unchanged models
has models '^done: y after 1 epochs, loss [0-9.]+$' "an MLP set for a subset of the models transfers to a cache that has them"

echo "1..$n"
[ "$failed" = 0 ]
