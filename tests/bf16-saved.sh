#!/bin/sh
# bf16-saved.sh - the precision a trained MLP set or bank records: train
# and infer at `set precision bf16` (and fp32, and both in turn: "mixed")
# on the demo cache, save, load in a fresh rnr; `show` prints it and the
# saved groups carry it as the string attribute "precision" (h5py).  A
# file without the attribute (what rnr wrote before it recorded it) still
# loads, precision not recorded; an unknown value is refused, naming it.
# Skips when the CPU lacks avx512_bf16, unless RNR_BF16=fallback (the
# portable kernel, same rounding) is set.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: "${RNR:=./rnr}" "${top_srcdir:=.}"
. "$top_srcdir/tests/tap.sh"
if ! "$RNR" -n -c 'set precision bf16' >/dev/null 2>&1; then
	echo "1..0 # SKIP no avx512_bf16 here (RNR_BF16=fallback runs the portable kernel)"
	exit 0
fi
demo=$top_srcdir/data/fmnist-demo.h5
"$RNR" -n -c "set progress off; set threads 1; set precision bf16
load $demo as fm
mlp fm.train depth=1 seed=1 as dec
mlp fm.train depth=1 seed=2 as raw
mlp fm.train depth=1 seed=3 as both
train dec fm.train bank=psi seed=1 warmup=1 epochs=2
infer dec fm.test as psi_te seed=1 epochs=1
train both fm.train bank=b1 seed=1 warmup=1 epochs=2
set precision fp32
train both fm.train bank=b2 seed=1 warmup=1 epochs=2
mlp fm.train depth=1 seed=4 as dec32
train dec32 fm.train bank=psi32 seed=1 warmup=1 epochs=2
save dec raw both dec32 psi psi_te b2 psi32 to $tmp/a.h5" >"$tmp/save.out" 2>&1
ok $? "train at bf16, fp32 and both, then save"

# name precision, one line per object that prints one
precisions() {
	awk '/^[^ ].*: [a-z]+$/ { name = $1; sub(/:$/, "", name) }
	     /^  precision: / { print name, $2 }'
}
"$RNR" -n -c "load $tmp/a.h5; show dec raw both dec32 psi psi_te b2 psi32" >"$tmp/show.out" 2>&1
ok $? "a fresh rnr loads them"
check "show prints each trained object's precision; none for the untrained MLP" \
	"dec bf16 both mixed dec32 fp32 psi bf16 psi_te bf16 b2 fp32 psi32 fp32" \
	"$(precisions <"$tmp/show.out" | tr '\n' ' ' | sed 's/ $//')"

# a workspace file keeps it too (save *, restore)
"$RNR" -n -c "load $tmp/a.h5; save * to $tmp/ws.h5" >/dev/null 2>&1
out=$("$RNR" -n -c "restore $tmp/ws.h5; show psi_te" 2>&1 | precisions)
check "save * and restore keep it" "psi_te bf16" "$out"

py=$(h5py_python) || py=
if [ -z "$py" ]; then
	ok 0 "h5py reads the attribute" "SKIP no python3-h5py"
	ok 0 "a file without the attribute loads" "SKIP no python3-h5py"
	ok 0 "an unknown precision is refused" "SKIP no python3-h5py"
	echo "1..$n"
	[ "$failed" = 0 ]
	exit
fi
out=$("$py" - "$tmp/a.h5" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(" ".join("%s=%s" % (k, f[k].attrs.get("precision", "-")) for k in sorted(f)))
EOF
)
check "h5py reads the attribute (absent on the untrained MLP)" \
	"b2=fp32 both=mixed dec=bf16 dec32=fp32 psi=bf16 psi32=fp32 psi_te=bf16 raw=-" "$out"

# the format before the attribute: the same groups without it
cp "$tmp/a.h5" "$tmp/old.h5"
"$py" - "$tmp/old.h5" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    for k in f:
        if "precision" in f[k].attrs:
            del f[k].attrs["precision"]
EOF
"$RNR" -n -c "load $tmp/old.h5; show psi dec" >"$tmp/old.out" 2>&1
ok $? "a file without the attribute loads"
has "its bank is whole" "shape: 3000 x 128" "$tmp/old.out"
check "and records no precision" "" "$(precisions <"$tmp/old.out")"

cp "$tmp/a.h5" "$tmp/bad.h5"
"$py" - "$tmp/bad.h5" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["psi"].attrs["precision"] = "half"
EOF
"$RNR" -n -c "load $tmp/bad.h5" >"$tmp/bad.out" 2>&1
ok $((! $?)) "an unknown precision fails the load"
has "naming the file, the object and the value" \
	"bad.h5: /psi: attribute precision is 'half', not fp32, bf16 or mixed" "$tmp/bad.out"
out=$("$RNR" -n -c "load $tmp/bad.h5; list" 2>&1 | tail -n 1)
check "and loads nothing (all or nothing)" "(no objects; \`load FILE\` reads a feature cache)" "$out"
echo "1..$n"
[ "$failed" = 0 ]
