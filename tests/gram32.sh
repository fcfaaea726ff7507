#!/bin/sh
# gram32.sh - `svd X method=gram32` from the command line: it runs, says
# so, prints its error bound (at sigma_10 and at the last value, and from
# which i on it passes 1e-4), keeps the method through save and load
# (`show` of the loaded spectrum prints the same bound), and a method
# that does not exist is refused naming it, leaving no object behind.
# auto still runs the double Gram on the same matrix.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
. "$top_srcdir/tests/tap.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT; trap 'exit 1' INT TERM HUP
data=$top_srcdir/data/fmnist-demo.h5

"$RNR" -n --bail -c "load $data as c; svd c.train:barlow method=gram32 as g;
svd c.train:barlow as a; save g to $tmp/g.h5" >"$tmp/out" 2>&1
ok $? "svd method=gram32 and auto run, save writes"
has "gram32 says which method ran" '^g: spectrum of c\.train:barlow \(3000 x 128, rows normalised\), 128 values by gram32$' "$tmp/out"
has "auto ran the double Gram" '^a: spectrum of .* 128 values by gram$' "$tmp/out"
has "gram32 prints its bound's formula" '^  gram32 \(float Gram\) relative error bound: 2 eps_f \(sigma_1/sigma_i\)\^2 \+ eps_f \|\|A\|\|_F/sigma_i$' "$tmp/out"
has "... its value at sigma_10 and at the last value" '^    [0-9.]+e-[0-9]+ at sigma_10, [0-9.]+e[-+][0-9]+ at sigma_128' "$tmp/out"
grep -A1 'gram32 (float Gram)' "$tmp/out" | tail -1 >"$tmp/bound"

"$RNR" -n --bail -c "load $tmp/g.h5; show g" >"$tmp/show" 2>&1
ok $? "the saved gram32 spectrum loads and shows"
has "show: still by gram32" 'values by gram32$' "$tmp/show"
if grep -Fqx -f "$tmp/bound" "$tmp/show"; then ok 0 "show prints the same bound line"
else ok 1 "show prints the same bound line"; sed 's/^/#   | /' "$tmp/bound" "$tmp/show"; fi

"$RNR" -n -c "load $data as c; svd c.train:barlow method=gram64 as x; list" >"$tmp/bad" 2>&1
has "an unknown method is refused, naming it and the choices" 'svd: method=gram64: expected one of auto, gram, svd, krylov, gram32$' "$tmp/bad"
hasnt "... and no spectrum was made" '^x ' "$tmp/bad"

echo "1..$n"
[ "$failed" = 0 ]
