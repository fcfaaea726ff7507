#!/bin/sh
# man.sh - rnr's commands and its manual agree: every command that `help`
# lists has an entry in the COMMANDS section of man/rnr.1 (its name in bold
# in an entry's tag, checked on groff's rendering of each tag), every entry
# there names a real command, every option key a command accepts is written
# KEY= in its entry, and `help NAME` of every command prints its usage line
# and options.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
man=$top_srcdir/man/rnr.1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

. "$top_srcdir/tests/tap.sh"
shown=

"$RNR" -n -c help >"$tmp/help" 2>&1
st=$?
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*$/\1/p' "$tmp/help")
count=$(echo $cmds | wc -w)
if [ "$st" = 0 ] && [ "$count" -ge 20 ]; then
	ok 0 "help lists $count commands"
else
	ok 1 "help lists the commands (exit $st, $count found)"
	sed 's/^/#   | /' "$tmp/help"
	echo "Bail out! no command list"
	exit 1
fi

# The tags of the entries (the line after .TP) of the COMMANDS section, and
# each entry's text (tag and body, up to the next .TP, .SS or .SH) in
# $tmp/entry.N with macro names, quotes and the escapes \fX and \ removed.
awk -v dir="$tmp" '
	/^\.SH/ { in_cmds = ($0 ~ /^\.SH COMMANDS/); next }
	!in_cmds { next }
	/^\.(TP|SS)/ { after_tp = ($0 ~ /^\.TP/); if (file) close(file); file = ""; next }
	after_tp {
		k++; after_tp = 0
		print > (dir "/tags")
		file = dir "/entry." k
	}
	file {
		line = $0
		sub(/^\.[A-Z]+ ?/, "", line)
		gsub(/\\f[BIRP]/, "", line); gsub(/\\/, "", line); gsub(/"/, "", line)
		print line > file
	}
' "$man"
if [ ! -s "$tmp/tags" ]; then
	ok 1 "man/rnr.1 has entries in its COMMANDS section"
	echo "Bail out! no entries found in $man"
	exit 1
fi

# The bold words of each tag, one tag per line: groff renders all the tags
# in one page (wide, so none wraps; -P-c: bold is C^HC, italic _^HC); a tag
# is a line indented 7 blanks; anything not bold in it becomes a blank.
bold_words() {
	{
		printf '.TH X 1\n.SH C\n'
		awk '{ print ".TP"; print; print "x" }' "$tmp/tags"
	} | groff -man -rLL=300n -Tascii -P-c 2>/dev/null | awk '
		/^       [^ ]/ {
			out = ""
			for (i = 1; i <= length($0); i++) {
				c = substr($0, i, 1)
				if (substr($0, i + 1, 1) == "\b") {
					out = out (c == substr($0, i + 2, 1) ? c : " ")
					i += 2
				} else {
					out = out " "
				}
			}
			sub(/^ +/, "", out)
			print out
		}'
}
if command -v groff >/dev/null 2>&1 && [ "$(bold_words | wc -l)" = "$(wc -l <"$tmp/tags")" ]; then
	how="bold in a tag, rendered by groff"
	bold_words >"$tmp/bold"
else
	# no groff: the words of the tags' source, a weaker check
	how="a word of a tag's source (no groff here)"
	sed 's/\\f[BIRP]/ /g; s/"/ /g; s/^\.[A-Z]*//' "$tmp/tags" >"$tmp/bold"
fi

# the command entries' first bold words, and those after ", " (continue, cancel)
for c in $cmds; do
	if grep -Eq "(^|[ ,])$c( |,|$)" "$tmp/bold"; then
		ok 0 "man: an entry for $c ($how)"
	else
		ok 1 "man: an entry for $c ($how)"
		shown=${shown:-$(echo "#   the tags of man/rnr.1 COMMANDS, bold words only:"; sed 's/^/#   | /' "$tmp/bold")}
		[ "$shown" = printed ] || echo "$shown"
		shown=printed
	fi
done
while read -r first _; do
	case " $(echo $cmds) " in
	*" $first "*) ok 0 "man: the entry $first is a command" ;;
	*) ok 1 "man: the entry '$first' is a command (not in \`help\`)" ;;
	esac
done <"$tmp/bold"

# help NAME: its usage line and options; each option is documented as KEY=
k=0
tags=$(wc -l <"$tmp/tags")
for c in $cmds; do
	"$RNR" -n -c "help $c" >"$tmp/h.$c" 2>&1
	st=$?
	first=$(head -n 1 "$tmp/h.$c")
	case $first in
	"usage: $c" | "usage: $c "*)
		if [ "$st" = 0 ] && sed -n 3p "$tmp/h.$c" | grep -q '[A-Za-z].*\.$'; then
			ok 0 "help $c: usage line and summary"
		else
			ok 1 "help $c: usage line and summary (exit $st)"
			sed 's/^/#   | /' "$tmp/h.$c"
		fi
		;;
	*)
		ok 1 "help $c: first line is 'usage: $c ...'"
		sed 's/^/#   | /' "$tmp/h.$c"
		;;
	esac
	opts=$(sed -n 's/^Options: //p' "$tmp/h.$c")
	[ -n "$opts" ] || continue
	# the entry whose tag names c; entries that refer to "the options of X"
	# or "options of X" bring X's entry along
	i=0 entry=
	while [ $i -lt "$tags" ]; do
		i=$((i + 1))
		if sed -n "${i}p" "$tmp/bold" | grep -Eq "(^|[ ,])$c( |,|$)"; then
			entry=$tmp/entry.$i
			break
		fi
	done
	if [ -z "$entry" ]; then
		ok 1 "man: the options of $c are documented (no entry)"
		continue
	fi
	cat "$entry" >"$tmp/doc"
	for ref in $(tr '\n' ' ' <"$entry" | grep -o 'options of [a-z]*' | sed 's/options of //'); do
		i=0
		while [ $i -lt "$tags" ]; do
			i=$((i + 1))
			sed -n "${i}p" "$tmp/bold" | grep -Eq "(^|[ ,])$ref( |,|$)" && cat "$tmp/entry.$i" >>"$tmp/doc"
		done
	done
	missing=
	for o in $opts; do
		grep -q "\(^\|[^A-Za-z0-9_]\)$o=" "$tmp/doc" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then
		ok 0 "man: the options of $c are documented: $opts"
	else
		ok 1 "man: the options of $c are documented: missing$missing"
	fi
done

echo "1..$n"
[ "$failed" = 0 ]
