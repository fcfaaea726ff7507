#!/bin/sh
# The house stays straight: every file of src/ is in the layer table
# (src/LAYERS), includes only headers of its own layer and those below,
# the modules include each other in no circle, and each function a header
# declares is defined somewhere.
# A module is X.c with X.h and X-int.h, and every other .c that includes
# X-int.h: a private header shared by several files (chart-int.h, by the
# text and SVG renderers and the axes) makes them one module in several
# rooms.  A header declaring another file's functions counts as an arrow
# to that file's module, so the graph is the one of calls, not of file
# names.  Only functions count: extern variables (the command descriptors
# cmd-list.h declares for the table) are data, not calls.
#
#   tests/layers.sh            TAP, for make check
#   tests/layers.sh --report   the house in numbers: files per layer,
#                              arrows, upward arrows, circles, largest files
. "$(dirname "$0")/tap.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/src
table=$src/LAYERS
mode=${1:-tap}

# One awk program reads the table, then every file of src/, and prints
# result lines: "unlisted F", "missing M", "up F INC", "circle M1 M2 ...",
# "nodef H FUNC", and for the report "count ...".
scan() {
	# shellcheck disable=SC2046
	awk -v report="$1" '
	function module(f,   m) {
		m = f; sub(/.*\//, "", m); sub(/\.[ch]$/, "", m); sub(/-int$/, "", m)
		return m
	}
	FNR == 1 { file = FILENAME; fbase = file; sub(/.*\//, "", fbase) }
	# the table: "layer module module ..."; # comments
	FILENAME ~ /LAYERS$/ {
		sub(/#.*/, "")
		if (NF == 0) next
		nl++; lname[nl] = $1
		for (i = 2; i <= NF; i++) { layer[$i] = nl; listed[$i] = 1 }
		next
	}
	FNR == 1 {
		m = module(file); mods[m] = 1; nfiles++
		fmod[fbase] = m
		if (!(m in layer)) print "unlisted " fbase
		else perlayer[layer[m]]++
	}
	{ lines[fbase]++ }
	/^#include "/ {
		inc = $2; gsub(/"/, "", inc)
		if (inc != "config.h") incs[fbase] = incs[fbase] " " inc
		# a .c sharing the private header of another module is part of it
		if (fbase ~ /\.c$/ && inc ~ /-int\.h$/) owner[fmod[fbase]] = module(inc)
		next
	}
	# declarations in headers, definitions in .c files: exported
	# functions start at column 0 with their return type; statics and
	# typedefs are not exported
	/^[A-Za-z_]/ && !/^(static|typedef|struct [a-z_]+ \{|enum|union|extern|#)/ &&
	    match($0, /[ *][a-z_][a-z0-9_]*\(/) {
		fn = substr($0, RSTART + 1, RLENGTH - 2)
		if (fn ~ /^__attribute__$/) next
		if (fbase ~ /\.h$/) declared[fbase] = declared[fbase] " " fn
		else if ($0 !~ /;[ \t]*$/ && !(fn in defd)) defd[fn] = fbase
	}
	# An arrow from a file to a module: it includes the module header, or
	# a header declaring a function that module defines (tui-int.h
	# declaring tui-data.c functions makes its includers depend on
	# tui-data, whatever its name says).
	function canon(m) { return (m in owner) ? owner[m] : m }
	function arrow(f, to, via,   from) {
		from = canon(fmod[f]); to = canon(to)
		if (to == from || ((f, to) in done)) return
		done[f, to] = 1
		arrows++
		edge[from, to] = 1
		if ((from in layer) && (to in layer) && layer[to] > layer[from]) {
			print "up " f " -> " to (via != "" ? " (through " via ")" : "") \
				" (" lname[layer[from]] " -> " lname[layer[to]] ")"
			ups++
		}
	}
	END {
		for (m in listed) if (!(m in mods)) print "missing " m
		for (f in incs) {
			ni = split(incs[f], incl, " ")
			for (a = 1; a <= ni; a++) {
				h = incl[a]
				arrow(f, module(h), "")
				nd = split(declared[h], fns, " ")
				for (b = 1; b <= nd; b++)
					if (fns[b] in defd) arrow(f, fmod[defd[fns[b]]], h)
			}
		}
		for (h in declared) {
			nd = split(declared[h], fns, " ")
			for (b = 1; b <= nd; b++)
				if (!(fns[b] in defd)) print "nodef " h " " fns[b]
		}
		# circles: modules that reach each other (transitive closure)
		nm = 0
		for (m in mods) mlist[++nm] = m
		for (i = 1; i <= nm; i++) for (j = 1; j <= nm; j++)
			reach[i, j] = ((mlist[i], mlist[j]) in edge)
		for (k = 1; k <= nm; k++) for (i = 1; i <= nm; i++) if (reach[i, k])
			for (j = 1; j <= nm; j++) if (reach[k, j]) reach[i, j] = 1
		for (i = 1; i <= nm; i++) {
			if (seen[i] || !reach[i, i]) continue
			c = mlist[i]
			for (j = 1; j <= nm; j++) if (j != i && reach[i, j] && reach[j, i]) {
				c = c " " mlist[j]; seen[j] = 1
			}
			print "circle " c
		}
		if (report) {
			printf "count files %d arrows %d upward %d\n", nfiles, arrows, ups + 0
			for (l = 1; l <= nl; l++) printf "count layer %d %s %d\n", l, lname[l], perlayer[l]
		}
	}' "$table" "$src"/*.c "$src"/*.h
}

out=$(scan "$([ "$mode" = --report ] && echo 1)")
if [ "$mode" = --report ]; then
	printf '%s\n' "$out" | sed -n 's/^count //p'
	printf '%s\n' "$out" | grep -v '^count ' || true
	echo "largest files:"
	wc -l "$src"/*.c "$src"/*.h | grep -v total | sort -rn | head -8
	exit 0
fi

found() { printf '%s\n' "$out" | grep "^$1 " | sed "s/^$1 //"; }
for kind in "unlisted:every file of src/ has a layer in src/LAYERS" \
	"missing:every module src/LAYERS names exists" \
	"up:no file includes a header of a higher layer" \
	"circle:no circle of includes between modules" \
	"nodef:each function a header declares is defined"; do
	k=${kind%%:*}
	bad=$(found "$k")
	check "${kind#*:}" "" "$bad"
done
# the table's order is the one README's "Layout of the code" gives
order=$(sed 's/#.*//' "$table" | awk 'NF { printf "%s ", $1 }')
doc=$(sed -n '/^Layout of the code/,/^[A-Z][a-z]* [a-z]*$/p' "$top/README" |
	sed -n 's/^    [0-9]\. \([a-z]*\) .*/\1/p' | tr '\n' ' ')
check "README gives the layers in the table's order" "$order" "$doc"
echo "1..$n"
[ "$failed" = 0 ]
