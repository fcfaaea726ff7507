#!/bin/sh
# sweep.sh - `sweep`: the pipeline per value (mlp, train, infer, knn as
# typed), the running lines and the table, each run's k-NN table kept; bad
# settings refused before anything runs with the workspace unchanged;
# Ctrl-C during a run keeps the finished runs and the same line resumes,
# giving the same numbers as a sweep never stopped; the sweep saves, loads
# and exports (CSV with one row per value, SVG, .npy).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
fix=$top_srcdir/tests/fixtures/mixed.h5
. "$top_srcdir/tests/tap.sh"
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

setup="set threads 1; set progress off; load $fix as mx"
# 1. a sweep of depth: one line per run, the table, the objects
"$RNR" -n -c "$setup; sweep depth=1,3 mx.train mx.test epochs=3 batch=50 as sw; list
mlp mx.train depth=3 seed=0 as d; train d mx.train bank=t epochs=3 batch=50 seed=0
infer d mx.test epochs=3 batch=50 seed=0 as e; knn t e
save sw to $tmp/sw.h5; drop sw; load $tmp/sw.h5; show sw
export sw to $tmp/sw.csv; export sw to $tmp/sw.svg; export sw to $tmp/sw.npy" \
	>"$tmp/one.out" 2>&1
ok $? "sweep depth=1,3 runs, saves, loads and exports"
has "the sweep says what it will run" \
	'^sweep sw: depth, 2 runs to do of 2 \(train=mx.train test=mx.test k=20 width=0 lr=0.0003 batch=50 epochs=3\)$' "$tmp/one.out"
has "a running line per run" '^  \[1/2\] depth=1 +seed=0 +majority +[0-9.]+ +weighted +[0-9.]+$' "$tmp/one.out"
has "the second run" '^  \[2/2\] depth=3 ' "$tmp/one.out"
has "each run's k-NN table is an object" '^sw.depth3 +table +1 rows' "$tmp/one.out"
hasnt "the runs' MLPs and banks are dropped (keep=off)" '^sw.depth1.(dec|tr|te)' "$tmp/one.out"
# the sweep's depth=3 run is the pipeline typed by hand, to the bit
maj=$(awk '$1 == "t" && $3 == "e" { print $6 " " $7 }' "$tmp/one.out")
run=$(awk '$1 == "[2/2]" { print $5 " " $7 }' "$tmp/one.out")
check "depth=3 equals mlp + train + infer + knn typed by hand" "$maj" "$run"
has "the sweep comes back from its file" '^    depth=3 +0 +[0-9.]+ +[0-9.]+ ' "$tmp/one.out"
check "CSV: a header and one row per depth" "depth,majority,weighted 2" \
	"$(head -1 "$tmp/sw.csv") $(($(wc -l <"$tmp/sw.csv") - 1))"
has "SVG written" '<svg' "$tmp/sw.svg"
if py=$(python_with 'import numpy'); then
	got=$("$py" -c "import numpy as np; a = np.load('$tmp/sw.npy'); print(a.shape, a[1, 0])")
	check ".npy: [runs, 4] with the values" "(2, 4) 3.0" "$got"
else
	ok 0 ".npy" "SKIP no python3 with numpy"
fi

# 2. bad settings: refused before anything runs, nothing changed
"$RNR" -n -c "$setup; sweep depth=1,2 mx.train mx.test epochs=1 batch=50 as sw
echo @@; list
sweep depth=1,9 mx.train mx.test
sweep depth=1,2 lr=1e-3,1e-4 mx.train mx.test
sweep mx.train mx.test epochs=3
sweep depth=1,2 mx.train mx.test batch=300
sweep depth=1,1 mx.train mx.test
sweep lr=0,1e-3 mx.train mx.test
sweep depth=1,2,3 mx.train mx.test epochs=1 batch=50 as sw
sweep depth=1,2 mx.train nosuch
sweep depth=1,2 mx.train mx.test as mx.train
sweep seeds=1,1 mx.train mx.test
echo @@; list" >"$tmp/bad.out" 2>&1
check "rnr exits 1 after the failures" 1 $?
err() { has "$1" "^rnr: sweep: $1\$" "$tmp/bad.out"; }
err "depth=9: out of range 1..8"
err "depth= and lr= are both lists: a sweep varies one setting \(and seeds=\)"
err "nothing to sweep: give one setting as a list, e.g. depth=1,2,4 \(or lr=, batch=, width=, epochs=, seeds=\)"
err "batch=300: more than the rows of mx.train \(600\) or mx.test \(200\)"
err "depth=1: given twice"
err "lr=0: out of range 1e-12..10"
err "sw is another sweep \(depth over 2 values; .*\): \`drop sw\` or name this one with \`as NAME\`"
err "no object named 'nosuch' \(see \`list\`\)"
err "mx.train is a cache, not a sweep"
err "seeds=: seed 1 given twice"
check "the workspace is as it was" \
	"$(awk '/^@@$/ { c++; next } c == 1 && !/^rnr:/' "$tmp/bad.out")" \
	"$(awk '/^@@$/ { c++; next } c == 2' "$tmp/bad.out")"

# 3. Ctrl-C during the second run keeps the first; the same line resumes
line="sweep depth=1,2,3 mx.train mx.test epochs=150 batch=50 as sw"
signal_after '^  \[1/3\]' INT "$tmp/int.out" "$setup; $line; echo @@; list; $line; list
sweep depth=2,3 mx.train mx.test epochs=150 batch=50 as ref"
check "the interrupted session exits 0" 0 "$status"
has "stopped with one run kept" \
	'^sweep sw stopped at depth=2 seed=0: 1 of 3 runs done, kept; the same command resumes$' "$tmp/int.out"
sed -n '/^@@$/,/^sweep sw:/p' "$tmp/int.out" >"$tmp/mid"
has "the list after the stop has the first run's table" '^sw.depth1 +table' "$tmp/mid"
hasnt "the stopped run left no object" '^sw.depth2' "$tmp/mid"
has "the same line resumes with the two runs left" '^sweep sw: depth, 2 runs to do of 3 ' "$tmp/int.out"
a=$(awk '/^sw: sweep/ { f = 1 } f && $1 == "depth=3" { print $3, $4; exit }' "$tmp/int.out")
b=$(awk '/^ref: sweep/ { f = 1 } f && $1 == "depth=3" { print $3, $4; exit }' "$tmp/int.out")
check "the resumed sweep gives the numbers of one never stopped" "$b" "$a"
has "every run's table there at the end" '^sw.depth2 +table' "$tmp/int.out"
echo "1..$n"
[ "$failed" = 0 ]
