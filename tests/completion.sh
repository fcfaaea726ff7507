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

. "$top_srcdir/tests/lib.sh"
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
case $reg in
*"-F _rnr rnr"*"-F _rnr_export rnr-export"*) ok 0 "registers rnr and rnr-export" ;;
*) ok 1 "registers rnr and rnr-export" "$reg" ;;
esac

mkdir -p "$tmp/files/sub.d" && : >"$tmp/files/a.rnr" && : >"$tmp/files/b.h5" &&
	: >"$tmp/files/w.pth" && : >"$tmp/files/notes.txt"

"$RNR" --help >"$tmp/help" 2>&1
want=$(help_options <"$tmp/help")
got=$(complete_line rnr -)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	ok 0 "rnr -<TAB>: the options of rnr --help: $(echo $got)"
else
	ok 1 "rnr -<TAB>: the options of rnr --help" "help: $(echo $want)
completion: $(echo $got)"
fi
got=$(complete_line rnr "")
[ "$got" = "a.rnr
sub.d" ]
ok $? "rnr <TAB>: command files and directories" "$got"
got=$(complete_line rnr -x "")
[ "$got" = "a.rnr
b.h5
notes.txt
sub.d
w.pth" ]
ok $? "rnr -x <TAB>: any file" "$got"

if find_python 'import argparse' && "$py" "$tool" --help >"$tmp/xhelp" 2>&1; then
	want=$(help_options <"$tmp/xhelp")
	got=$(complete_line rnr-export -)
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		ok 0 "rnr-export -<TAB>: the options of rnr-export --help ($(echo "$got" | wc -l))"
	else
		ok 1 "rnr-export -<TAB>: the options of rnr-export --help" "help: $(echo $want)
completion: $(echo $got)"
	fi
else
	echo "ok $((n + 1)) - rnr-export --help # SKIP no python3"
	n=$((n + 1))
fi

got=$(complete_line rnr-export -o "")
[ "$got" = "b.h5
sub.d" ]
ok $? "rnr-export -o <TAB>: .h5 files and directories" "$got"
got=$(complete_line rnr-export --images "")
[ "$got" = "sub.d" ]
ok $? "rnr-export --images <TAB>: directories" "$got"
got=$(complete_line rnr-export --weights "")
[ "$got" = "sub.d
w.pth" ]
ok $? "rnr-export --weights <TAB>: .pth files and directories" "$got"
got=$(complete_line rnr-export --model resnet5)
[ "$got" = "resnet50" ]
ok $? "rnr-export --model resnet5<TAB>: resnet50" "$got"
got=$(complete_line rnr-export --model dino = resnet5)
[ "$got" = "resnet50" ]
ok $? "rnr-export --model dino=resnet5<TAB>: resnet50" "$got"
got=$(complete_line rnr-export --torchvision CIFAR)
[ "$got" = "CIFAR100=
CIFAR10=" ]
ok $? "rnr-export --torchvision CIFAR<TAB>: CIFAR10= CIFAR100=" "$got"

# every architecture and dataset named exists in this torchvision
if find_python 'import torchvision'; then
	names=$(bash -c '. "$1"; echo $_rnr_export_archs; echo $_rnr_export_datasets' sh "$comp")
	bad=$("$py" -c '
import sys
from torchvision import datasets, models
archs, sets = sys.argv[1].split("\n")
have = set(models.list_models(module=models))
print(" ".join([a for a in archs.split() if a not in have] +
               [d for d in sets.split() if not hasattr(datasets, d)]))' "$names" 2>&1)
	[ -z "$bad" ]
	ok $? "the architectures and datasets it lists are torchvision's" "not in torchvision: $bad"
else
	echo "ok $((n + 1)) - the architectures are torchvision's # SKIP no python3-torchvision"
	n=$((n + 1))
fi

echo "1..$n"
[ "$failed" = 0 ]
