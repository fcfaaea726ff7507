#!/bin/sh
# completion.sh - tools/rnr.bash-completion: it is valid bash, registers
# rnr and rnr-export, offers every option that `rnr --help` and
# `rnr-export --help` print (and no other), completes files and
# directories by option, and its architecture list names torchvision models
# (checked when a python3 here imports torchvision).  Skips without bash.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
comp=$top_srcdir/tools/rnr.bash-completion
tool=$top_srcdir/tools/rnr-export

. "$top_srcdir/tests/tap.sh"
if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP no bash"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
case $comp in /*) ;; *) comp=$(pwd)/$comp ;; esac

# the completions of a command line (one word per argument, the last one
# being completed), one per line, sorted, run in $tmp/files
complete_line() {
	(cd "$tmp/files" && bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		case $1 in rnr) _rnr ;; rnr-export) _rnr_export ;; esac
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$@") | sed '/^$/d' | LC_ALL=C sort
}

# the options of a --help text: from the first column of each line of the
# option list (indented, up to a gap of two blanks), the words starting
# with '-' ("FILE.rnr, -x FILE" gives -x, "-o FILE.h5, --output FILE.h5"
# gives -o and --output)
help_options() {
	awk '/^  +[-A-Z]/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' |
		tr ', ' '\n\n' | grep -E -- '^--?[A-Za-z][-A-Za-z]*$' | LC_ALL=C sort -u
}

bash -n "$comp"
ok $? "bash -n: valid bash"
reg=$(bash -c '. "$1"; complete -p rnr rnr-export' sh "$comp" 2>&1)
check "registers rnr and rnr-export" "complete -F _rnr rnr
complete -F _rnr_export rnr-export" "$reg"

mkdir -p "$tmp/files/sub.d" && : >"$tmp/files/a.rnr" && : >"$tmp/files/b.h5" &&
	: >"$tmp/files/w.pth" && : >"$tmp/files/notes.txt"

"$RNR" --help >"$tmp/help" 2>&1
want=$(help_options <"$tmp/help")
[ -n "$want" ] || echo "#   no options found in rnr --help"
check "rnr -<TAB>: the options of rnr --help" "$(echo $want)" "$(echo $(complete_line rnr -))"
check "rnr <TAB>: command files and directories" "a.rnr sub.d" "$(echo $(complete_line rnr ""))"
check "rnr -x <TAB>: any file" "a.rnr b.h5 notes.txt sub.d w.pth" \
	"$(echo $(complete_line rnr -x ""))"

if py=$(python_with 'import argparse') && "$py" "$tool" --help >"$tmp/xhelp" 2>&1; then
	want=$(help_options <"$tmp/xhelp")
	[ -n "$want" ] || echo "#   no options found in rnr-export --help"
	check "rnr-export -<TAB>: the options of rnr-export --help" "$(echo $want)" \
		"$(echo $(complete_line rnr-export -))"
else
	ok 0 "rnr-export -<TAB>: the options of rnr-export --help" "SKIP no python3"
fi

check "rnr-export -o <TAB>: .h5 files and directories" "b.h5 sub.d" \
	"$(echo $(complete_line rnr-export -o ""))"
check "rnr-export --images <TAB>: directories" "sub.d" \
	"$(echo $(complete_line rnr-export --images ""))"
check "rnr-export --weights <TAB>: .pth files and directories" "sub.d w.pth" \
	"$(echo $(complete_line rnr-export --weights ""))"
check "rnr-export --model resnet5<TAB>" "resnet50" \
	"$(echo $(complete_line rnr-export --model resnet5))"
check "rnr-export --model dino=resnet5<TAB>" "resnet50" \
	"$(echo $(complete_line rnr-export --model dino = resnet5))"
check "rnr-export --torchvision CIFAR<TAB>" "CIFAR100= CIFAR10=" \
	"$(echo $(complete_line rnr-export --torchvision CIFAR))"

# every architecture and dataset named exists in this torchvision
if py=$(python_with 'import torchvision'); then
	names=$(bash -c '. "$1"; echo $_rnr_export_archs; echo $_rnr_export_datasets' sh "$comp")
	bad=$("$py" -c '
import sys
from torchvision import datasets, models
archs, sets = sys.argv[1].split("\n")
have = set(models.list_models(module=models))
print(" ".join([a for a in archs.split() if a not in have] +
               [d for d in sets.split() if not hasattr(datasets, d)]))' "$names" 2>&1)
	check "the architectures and datasets it lists are torchvision's (none missing)" "" "$bad"
else
	ok 0 "the architectures and datasets it lists are torchvision's" \
		"SKIP no python3-torchvision"
fi

echo "1..$n"
[ "$failed" = 0 ]
