#!/bin/sh
# svg.sh - `export` and `plot` from outside: the loss history of a tiny
# training run exported as SVG (well-formed by xmllint, a polyline and a
# legend label per series, the warmup marker dashed) and as CSV (the header
# and one row per step), the format from format= over the extension, an
# object that cannot be drawn refused by name, a failed export leaving an
# existing file as it was and no temporary file, and `plot` in ASCII.
# Skips cleanly ("1..0 # SKIP") without xmllint (Debian: libxml2-utils).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
data=$top_srcdir/data/fmnist-demo.h5

if ! command -v xmllint >/dev/null 2>&1; then
	echo "1..0 # SKIP xmllint not found (apt-get install libxml2-utils)"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$top_srcdir/tests/tap.sh"

"$RNR" -n -c "load $data as fm; mlp fm.test as dec; set progress off; \
train dec fm.test epochs=2 warmup=1; show psi.loss; \
export psi.loss to $tmp/X.svg; export psi.loss to $tmp/X.csv; \
export psi.loss to $tmp/X.dat format=tsv; \
plot psi.loss width=60 height=16 ascii=on" >"$tmp/out" 2>&1
st=$?
check "the run exits 0" 0 "$st"
[ "$st" = 0 ] || sed 's/^/#   | /' "$tmp/out"

if xmllint --noout "$tmp/X.svg" 2>"$tmp/lint"; then
	ok 0 "the SVG is well-formed XML (xmllint)"
else
	ok 1 "the SVG is well-formed XML (xmllint)"
	sed 's/^/#   | /' "$tmp/lint"
fi
check "a polyline per series (total and 4 models)" 5 "$(grep -c '<polyline' "$tmp/X.svg")"
for label in total simclr barlow rotnet dae warmup epoch loss; do
	check "the SVG names '$label'" 1 "$(grep -c ">$label[ 0-9.]*</text>" "$tmp/X.svg" | \
		sed 's/^[1-9][0-9]*$/1/')"
done
check "the warmup marker is dashed" 1 "$(grep -c 'stroke-dasharray' "$tmp/X.svg" | \
	sed 's/^[1-9][0-9]*$/1/')"

steps=$(sed -n 's/^ *\([0-9][0-9]*\) steps (.*/\1/p' "$tmp/out")
check "CSV header: epoch, total and each model" "epoch,total,simclr,barlow,rotnet,dae" \
	"$(head -n 1 "$tmp/X.csv")"
check "CSV: one row per step ($steps)" "$steps" "$(($(wc -l <"$tmp/X.csv") - 1))"
check "CSV: the last row is epoch 2 with six columns" "2 6" \
	"$(tail -n 1 "$tmp/X.csv" | awk -F, '{ print $1, NF }')"
check "format=tsv over the extension .dat" "epoch	total" \
	"$(head -n 1 "$tmp/X.dat" | cut -f 1-2)"
grep -q '^\*\* total  ++ simclr' "$tmp/out"
ok $? "plot ascii=on: a legend naming the series by glyph"
grep -q '^ *0\.[0-9]* +' "$tmp/out"
ok $? "plot ascii=on: y tick labels on the axis"

# failures: nothing written, an existing file kept, no temporary left
echo keep >"$tmp/keep.svg"
"$RNR" -n -c "load $data as fm; export fm.test to $tmp/keep.svg" >"$tmp/err" 2>&1
st=$?
check "exporting a cache as SVG fails" 1 "$st"
grep -q 'fm.test is a cache: it cannot be drawn; plottable: loss' "$tmp/err"
ok $? "the error names the object and the types that can be drawn"
check "the existing file is untouched" keep "$(cat "$tmp/keep.svg")"
"$RNR" -n -c "load $data as fm; mlp fm.test as dec; set progress off; \
train dec fm.test epochs=1; export psi.loss to $tmp/nodir/x.svg; \
export psi.loss to $tmp/x.png" >"$tmp/err" 2>&1
check "export into a missing directory or to an unknown extension fails" 1 "$?"
grep -q "cannot tell the format of '$tmp/x.png'" "$tmp/err"
ok $? "an unknown extension asks for format="
check "no temporary files are left" "" "$(ls "$tmp" | grep tmp-)"

echo "1..$n"
[ "$failed" = 0 ]
