#!/bin/sh
# corpus.sh - every file of the corpus tests/corpus/make-corpus.py writes
# (malformed and hostile caches, saved-object files and command files) is
# given to rnr after a good cache is loaded.  For each: rnr does not crash
# (exit status 1, no sanitizer report), prints one error at the failing
# line that names the bad file and says what is wrong (a distinctive
# phrase per case), and `list` before and after is the same.  A few inputs
# that look odd but are valid must load.  Skips without h5py and numpy.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"

. "$top_srcdir/tests/tap.sh"
if ! py=$(h5py_python); then
	echo "1..0 # SKIP no python3 with h5py and numpy to write the corpus"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
c=$tmp/corpus
if ! "$py" "$top_srcdir/tests/corpus/make-corpus.py" "$c"; then
	echo "Bail out! make-corpus.py failed with $py"
	exit 1
fi

cases=0

# run NAME COMMAND: a good cache, list, COMMAND (line 4), list
run() {
	cat >"$tmp/$1.rnr" <<EOF
load $c/good.h5 as good
echo '@@ list'
list
$2
echo '@@ list'
list
EOF
	"$RNR" -n "$tmp/$1.rnr" >"$tmp/$1.out" 2>&1
	st=$?
}

# the two listings are the same and hold the good cache (the first is
# followed by whatever the command printed: compare as many lines)
unchanged() {
	awk '/^@@ list/ { k++; next } k == 2' "$tmp/$1.out" >"$tmp/b"
	awk '/^@@ list/ { k++; next } k == 1' "$tmp/$1.out" | head -n "$(wc -l <"$tmp/b")" >"$tmp/a"
	grep -q '^good.train ' "$tmp/b" && tail -n 1 "$tmp/b" | grep -q ' objects, ' &&
		cmp -s "$tmp/a" "$tmp/b"
}

sanitizer() { grep -Eq 'Sanitizer|runtime error:|^==[0-9]+==' "$tmp/$1.out"; }

# bad NAME WHERE FILE PHRASE COMMAND: COMMAND fails with an error line that
# starts with WHERE (file:line: command:), names FILE and holds PHRASE
bad() {
	cases=$((cases + 1))
	run "$1" "$5"
	line=$(grep -F -- "$2" "$tmp/$1.out" | grep -F -- "$3" | grep -F -- "$4" | head -n 1)
	case $line in
	"$2"*) ok 0 "$1: $4" ;;
	*)
		ok 1 "$1: $4"
		echo "#   expected a line starting '$2' naming '$3' with '$4'"
		sed 's/^/#   | /' "$tmp/$1.out" | cut -c1-300
		;;
	esac
	if [ "$st" = 1 ] && ! sanitizer "$1" && unchanged "$1"; then
		ok 0 "$1: exit status 1, no sanitizer report, workspace unchanged"
	else
		ok 1 "$1: exit status 1 (got $st), no sanitizer report, workspace unchanged"
		sed 's/^/#   | /' "$tmp/$1.out" | cut -c1-300
	fi
}

# good NAME PATTERN COMMAND: COMMAND succeeds and prints a line matching PATTERN
good() {
	cases=$((cases + 1))
	run "$1" "$3"
	if [ "$st" = 0 ] && ! sanitizer "$1" && grep -Eq -- "$2" "$tmp/$1.out"; then
		ok 0 "$1: accepted"
	else
		ok 1 "$1: accepted (exit status $st, expected a line matching $2)"
		sed 's/^/#   | /' "$tmp/$1.out" | cut -c1-300
	fi
}

L="$tmp/%s.rnr:4: "
# load CASE PHRASE: `load CASE.h5 as x` fails naming the file and PHRASE
load() {
	# shellcheck disable=SC2059
	bad "$1" "$(printf "$L" "$1")load: $c/$1" "$c/$1" "$2" "load $c/$1 as x"
}

# ---- not HDF5, or not a whole file ----
load empty.h5 "not an HDF5 file (no HDF5 signature found)"
load text.h5 "not an HDF5 file (no HDF5 signature found)"
load dir.h5 "is a directory, not an HDF5 file"
load truncated.h5 "truncated file: eof = "
load superblock-only.h5 "truncated file: eof = 96"
# ---- types ----
load int-features.h5 "/train/features/a: is an integer dataset; features must be floating point"
load string-features.h5 "/train/features/a: is a string dataset"
load compound-features.h5 "/train/features/a: is a compound dataset"
load float-labels.h5 "/train/labels: labels must be 1-D integers [rows], found float [12]"
load string-labels.h5 "/train/labels: labels must be 1-D integers [rows], found string [12]"
# ---- shapes and sizes ----
load zero-rows.h5 "/train/features/a: is empty [0 x 8]"
load zero-cols.h5 "/train/features/a: is empty [12 x 0]"
load 3d-features.h5 "features must be 2-D [rows, dim], found 3-D [12 x 2 x 8]"
load scalar-features.h5 "features must be 2-D [rows, dim], found 0-D [scalar]"
load 2d-labels.h5 "found integer [12 x 2]"
load short-labels.h5 "/train/labels: has 5 labels but the split has 12 rows"
load rows-differ.h5 "/train/features/b has 11 rows but /train/features/a has 12"
load dims-differ-splits.h5 "has dim 8 but split /test has it with dim 16"
load terabytes.h5 "/train/features/a would need 40000000000000 bytes (37252.9 GiB)"
load overflow.h5 "[4611686018427387904 x 1099511627776] as float32 overflows the address space"
# ---- values ----
load nan.h5 "/train/features/b: row 3, column 5 (counting from 0) is NaN"
load inf.h5 "/test/features/a: row 7, column 0 (counting from 0) is -Inf"
load f64-overflow.h5 "is +Inf in float32 (is the stored value beyond float32's range"
load negative-label.h5 "/train/labels: row 4 has label -3; labels must be 0 or more"
load huge-label.h5 "/train/labels: row 2 has label 1000000000000; rnr takes at most 16777216 classes"
load int64-max-label.h5 "row 5 has label 9223372036854775807; rnr takes at most 16777216 classes"
load n_classes-huge.h5 "attribute n_classes is 1099511627776; rnr takes at most 16777216 classes"
load label-over-n_classes.h5 "row 9 has label 6 but attribute n_classes is 4"
# ---- attributes and names ----
load duplicate-models-attr.h5 "root attribute 'models' names model 'a' twice"
load n_classes-string.h5 "attribute 'n_classes': expected one integer"
load n_classes-array.h5 "attribute 'n_classes': expected one integer"
load n_classes-negative.h5 "attribute n_classes is -2; it must be 1 or more"
load badname-utf8.h5 "/train/features: the name of model 1 (counting from 0) is not UTF-8 (byte 1 is 0xff)"
# ---- structure ----
load labels-only.h5 "no split found: no group holds features/<model> datasets"
load features-dataset.h5 "/train/features is a dataset, but rnr expects a group features/"
load missing-model.h5 "/test/features/b is missing (split /train has model b"
load empty-features-group.h5 "/train/features is empty"
load dangling-link.h5 "/train/features/a: is a broken link or unknown object"
load external-link.h5 "/train/features/a: is a broken link or unknown object"
load lzf.h5 "compressed with HDF5 filter 'lzf' (id 32000), which this HDF5 library cannot load; it is h5py's lzf: install Debian's hdf5-plugin-lzf"
# ---- .npy and .npz ----
load truncated.npy "header says shape (12, 8) of <f4, 384 bytes of data, but only 128 bytes follow the header (truncated?)"
load terabytes.npy "header says shape (1000000000, 10000) of <f4, 40000000000000 bytes of data, but only 384 bytes"
load int.npy "dtype <i4; features must be float32 or float64"
load nan.npy "row 2, column 3 (counting from 0) is NaN; features must be finite"
load object.npy "is an object array (dtype |O: pickled Python objects)"
# shellcheck disable=SC2059
bad short-labels.npz "$(printf "$L" short-labels.npz)load: $c/short-labels.npz" "$c/short-labels.npz" \
	"array 'y_train': has 5 labels but the split has 12 rows" \
	"load $c/short-labels.npz as x features={model}_{split} labels=y_{split}"
# ---- saved-object files (load without `as`) ----
# shellcheck disable=SC2059
bad bank-terabytes.h5 "$(printf "$L" bank-terabytes.h5)load: loading psi: $c/bank-terabytes.h5" \
	"$c/bank-terabytes.h5" "/psi/psi would need 40000000000000 bytes" "load $c/bank-terabytes.h5"
# shellcheck disable=SC2059
bad unknown-type.h5 "$(printf "$L" unknown-type.h5)load: $c/unknown-type.h5" \
	"$c/unknown-type.h5" "/thing: unknown object type 'spaceship'" "load $c/unknown-type.h5"

# ---- workspace files and checkpoints: a checkpoint of a job on good.train,
# then broken copies of it (make-corpus.py --workspace) ----
"$RNR" -n -c "load $c/good.h5 as good; mlp good.train seed=1 as m
train m good.train epochs=3 batch=4 checkpoint=$c/ck.h5 every=2" >"$tmp/ck.out" 2>&1 &&
	"$py" "$top_srcdir/tests/corpus/make-corpus.py" "$c" --workspace "$c/ck.h5"
ok $? "a checkpoint to break (at epoch 2 of 3) and its broken copies"
good ck.h5 "^restored the stopped job on psi \(train, at epoch 3 step 0/3\)" "restore $c/ck.h5"
# restore CASE PHRASE: `restore CASE` fails naming the file and PHRASE
restore() {
	# shellcheck disable=SC2059
	bad "$1" "$(printf "$L" "$1")restore: $c/$1" "$c/$1" "$2" "restore $c/$1"
}
restore ws-lr-nan.h5 "/.job: lr=nan: out of range 1e-12..10"
restore ws-beta2-one.h5 "/.job: beta2=1: out of range 0..0.99999999"
restore ws-eps-zero.h5 "/.job: eps=0: out of range 1e-30..1"
restore ws-wd-inf.h5 "/.job: wd=inf: out of range 0..1"
restore ws-batch-zero.h5 "/.job: batch=0: must be 1..12 (the rows of good.train)"
restore ws-kind.h5 "/.job: attribute 'kind' = 'dance': expected train or infer"
restore ws-mlp_t.h5 "/.job: attributes mlp_t=4611686018427387904 and bank_t=0 do not follow from 6 steps done"
restore ws-bank_m-nan.h5 "/.job: dataset bank_m: value 0 (counting from 0) is NaN; Adam's first moments must be finite"
restore ws-bank_v-negative.h5 "/.job: dataset bank_v: value 0 (counting from 0) is -1; Adam's second moments must be finite and >= 0"
restore ws-mlp_v-negative.h5 "/.job: dataset mlp_v: value 0 (counting from 0) is -1"
restore ws-bank_row_t.h5 "/.job: dataset bank_row_t: row 0 has moved 101 times, more than the 1 joint epochs begun"
restore ws-shuffle-zero.h5 "/.job: dataset shuffle: the generator's state is all zeros"
restore ws-threads-zero.h5 "/.settings: threads=0: out of range 1..256"
restore ws-format.h5 "workspace format 99, this rnr reads formats 1 to 1 (written by a newer rnr)"
# shellcheck disable=SC2059
bad ws-weights-nan.h5 "$(printf "$L" ws-weights-nan.h5)restore: loading m: $c/ws-weights-nan.h5" \
	"$c/ws-weights-nan.h5" "/m/a: weight0: row 0, column 0 (counting from 0) is NaN; weights must be finite" \
	"restore $c/ws-weights-nan.h5"

# ---- command files: the error names the file being read and its line ----
src() { # src CASE WHERE PHRASE: `source CASE` fails at WHERE (FILE:LINE: ...)
	bad "$1" "$2" "$2" "$3" "source $c/$1"
}
src loop.rnr "$c/loop.rnr:2: source: $c/loop.rnr" "command files nested more than 16 deep"
src chain0.rnr "$c/chain14.rnr:1: source: $c/chain15.rnr" "command files nested more than 16 deep"
src long-word.rnr "$c/long-word.rnr:2: " "a line of 4194305 bytes, over rnr's limit of 65536: not run"
src long-comment.rnr "$c/long-comment.rnr:1: " "a line of 4194307 bytes, over rnr's limit of 65536"
src many-words.rnr "$c/many-words.rnr:1: echo: " "too many arguments (at most 64)"
src bad-utf8.rnr "$c/bad-utf8.rnr:2: " "byte 6 (0xff) is not UTF-8: the line is not run"
src bad-utf8-name.rnr "$c/bad-utf8-name.rnr:1: " "byte 21 (0xe9) is not UTF-8"
src nul.rnr "$c/nul.rnr:2: " "a NUL byte: not a text command file; the rest of it is not run"
src binary.rnr "$c/binary.rnr:1: " "byte 1 (0x89) is not UTF-8"
src quote.rnr "$c/quote.rnr:2: " "column 6: unterminated single quote"
# shellcheck disable=SC2059
bad dir.rnr "$(printf "$L" dir.rnr)source: $c/dir.rnr" "$c/dir.rnr" ": Is a directory" "source $c/dir.rnr"
# shellcheck disable=SC2059
bad missing.rnr "$(printf "$L" missing.rnr)source: $c/missing.rnr" "$c/missing.rnr" \
	": No such file or directory" "source $c/missing.rnr"
# a model named twice on the command line
# shellcheck disable=SC2059
bad models-twice "$(printf "$L" models-twice)avg: models=a,a" "models=a,a" "'a' named twice" \
	"avg good.train models=a,a as x"

# ---- odd but valid ----
good string-attrs.h5 "^    big = z{60}" "load $c/string-attrs.h5 as sa; show sa.train"
good empty.rnr "^good.train " "source $c/empty.rnr"
good crlf.rnr "^crlf$" "source $c/crlf.rnr"

# the message of the nul.rnr case must mean the hidden `drop` did not run
if grep -q '^good.test ' "$tmp/nul.rnr.out"; then
	ok 0 "nul.rnr: the command before the NUL byte was not run"
else
	ok 1 "nul.rnr: the command before the NUL byte was not run"
fi
echo "# $cases corpus cases"
[ "$cases" -ge 30 ]
ok $? "at least 30 corpus cases ($cases)"

echo "1..$n"
[ "$failed" = 0 ]
