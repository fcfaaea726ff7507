#!/bin/sh
# invocation.sh - rnr's command line: --help and --version, bad usage (exit
# 2), -c, -x and FILE arguments run in the order given, commands from stdin
# when it is not a terminal, -n and ~/.rnrrc, --bail, quit, -i, the exit
# status (1 when a command failed outside the prompt) and stdout/stderr.
# HOME is a fresh temporary directory here, whatever the caller's.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"

# absolute paths: the tests run in a temporary directory
case $RNR in /*) ;; */*) RNR=$(pwd)/$RNR ;; esac
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
HOME=$tmp/home
mkdir "$HOME" || exit 1
export HOME
RNR_HISTORY=$tmp/history
export RNR_HISTORY
unset RNR_THREADS
cd "$tmp" || exit 1

n=0 failed=0
# result WHAT DIRECTIVE: records the verdict in $bad (empty: passed)
result() {
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n - $1${2:+ # $2}"
	else
		echo "not ok $n - $1${2:+ # $2}"
		printf '%s\n' "$bad" | sed 's/^/#   /'
		case ${2:-} in TODO*) ;; *) failed=$((failed + 1)) ;; esac
	fi
}
# t WHAT STATUS STDOUT STDERR [DIRECTIVE] -- ARGS...: runs rnr ARGS (stdin
# from $input when set, else empty) and checks the exit status and the exact
# stdout and stderr; "*" skips a check.
t() {
	what=$1 want_st=$2 want_out=$3 want_err=$4 directive=
	shift 4
	if [ "$1" != -- ]; then
		directive=$1
		shift
	fi
	shift
	if [ -n "${input+set}" ]; then
		printf '%s' "$input" | "$RNR" "$@" >"$tmp/out" 2>"$tmp/err"
	else
		"$RNR" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	fi
	st=$?
	bad=
	[ "$want_st" = "*" ] || [ "$st" = "$want_st" ] ||
		bad="exit status: expected $want_st, got $st"
	if [ "$want_out" != "*" ] && [ "$(cat "$tmp/out")" != "$want_out" ]; then
		bad="${bad:+$bad
}stdout: expected:
$want_out
stdout: got:
$(cat "$tmp/out")"
	fi
	if [ "$want_err" != "*" ] && [ "$(cat "$tmp/err")" != "$want_err" ]; then
		bad="${bad:+$bad
}stderr: expected:
$want_err
stderr: got:
$(cat "$tmp/err")"
	fi
	result "$what" "$directive"
}
# like PATTERN FILE WHAT: FILE has a line matching the extended regex
like() {
	bad=
	grep -Eq -- "$1" "$2" || bad="expected a line matching $1 in:
$(cat "$2")"
	result "$3"
}

nl='
'
printf 'echo f1\n' >f1.rnr
printf 'echo f2 line 1\nnosuch2\necho f2 line 3\n' >f2.rnr
printf 'echo f3\n' >f3.rnr
printf 'echo q1\nquit\necho q3\n' >quit.rnr
printf 'source quit.rnr\necho not after quit\n' >srcquit.rnr

# --help, --version, bad usage
t "--help: usage on stdout, exit 0" 0 "*" "" -- --help
like '^usage: rnr \[OPTION\]\.\.\. \[FILE\.rnr\]\.\.\.$' out "--help prints the usage line"
like '^ +-c .CMD; CMD. ' out "--help lists -c"
t "-h: the same as --help" 0 "$(cat out)" "" -- -h
t "--version: the version, exit 0" 0 "rnr $(sed -n 's/^.*AC_INIT(\[rnr\], \[\([^]]*\)\].*$/\1/p' "$top_srcdir/configure.ac")" "" -- --version
t "-V: the same" 0 "$(cat out)" "" -- -V
t "--plain is accepted" 0 "p" "" -- -n --plain -c "echo p"
t "an unknown long option: exit 2, usage on stderr, nothing on stdout" 2 "" "*" -- -n --bogus -c "echo not run"
like "unrecognized option '--bogus'" err "... and it names the option"
like '^usage: rnr ' err "... and prints the usage"
t "an unknown short option: exit 2" 2 "" "*" -- -q
t "-c without its argument: exit 2" 2 "" "*" -- -c
t "-x without its argument: exit 2" 2 "" "*" -- -x

# -c
t "-c: commands and ';', exit 0" 0 "a${nl}b" "" -- -n -c "echo a; echo b"
t "-c with a failing command: exit 1, error on stderr as rnr: ..., the rest runs" 1 "a${nl}b" \
	"rnr: unknown command 'nosuch' (try \`help\`)" -- -n -c "echo a; nosuch; echo b"
t "-c: a failed command's error goes to stderr only" 1 "" "rnr: set: threads=0: out of range 1..256" -- -n -c "set threads 0"
t "-c: a string of several lines runs each line as a command" 0 "a${nl}b${nl}c" "" \
	-- -n -c "echo a${nl}echo b # comment${nl}echo c"

# files: FILE, -x FILE, in order with -c
t "a command file: exit 0" 0 "f1" "" -- -n f1.rnr
t "a failing command in a file: FILE:LINE on stderr, the file goes on, exit 1" 1 \
	"f2 line 1${nl}f2 line 3" "f2.rnr:2: unknown command 'nosuch2' (try \`help\`)" -- -n f2.rnr
t "-x FILE runs it too" 1 "f2 line 1${nl}f2 line 3" "*" -- -n -x f2.rnr
t "several files run in order" 0 "f3${nl}f1${nl}f3" "" -- -n f3.rnr f1.rnr f3.rnr
t "-c, -x and FILE run in the order given" 0 "c1${nl}f1${nl}c2${nl}f3" "" -- -n -c "echo c1" -x f1.rnr -c "echo c2" -x f3.rnr
t "a missing file: an error naming it, the next source runs, exit 1" 1 "after" \
	"rnr: nosuch.rnr: No such file or directory" -- -n -x nosuch.rnr -c "echo after"
mkdir adir
t "a directory as a command file is an error, exit 1" 1 "" "*" \
	-- -n -x adir
t "source of a directory is an error, the rest runs, exit 1" 1 "after" "*" \
	-- -n -c "source adir; echo after"
t "options after a FILE argument are options (files and -c run in order)" 0 "f1${nl}c" "" \
	-- -n f1.rnr -c "echo c"

# stdin when it is not a terminal
input="echo s1${nl}nosuch3${nl}echo s3${nl}"
t "stdin (not a terminal) is a command file: <stdin>:LINE, exit 1" 1 "s1${nl}s3" \
	"<stdin>:2: unknown command 'nosuch3' (try \`help\`)" -- -n
input="echo s1${nl}echo s2${nl}"
t "stdin with no failures: exit 0" 0 "s1${nl}s2" "" -- -n
t "stdin is not read when there are files or -c" 0 "c" "" -- -n -c "echo c"
unset input

# --bail and quit
t "--bail: the first failure stops everything after it, exit 1" 1 "a" "*" -- -n --bail -c "echo a; nosuch; echo b" -c "echo c"
t "--bail: a failure in a file stops the later files" 1 "f2 line 1" "*" -- -n --bail f2.rnr f1.rnr
t "quit stops a file and everything after it, exit 0" 0 "q1" "" -- -n quit.rnr f1.rnr
t "quit inside a sourced file stops the caller too" 0 "q1" "" -- -n srcquit.rnr
t "quit in -c" 0 "a" "" -- -n -c "echo a; quit; echo b" -c "echo c"
input="echo s1${nl}quit${nl}echo s3${nl}"
t "quit on stdin" 0 "s1" "" -- -n
unset input
t "quit after a failure: exit status still 1" 1 "" "*" -- -n -c "nosuch; quit"

# ~/.rnrrc and -n
t "no ~/.rnrrc: nothing happens" 0 "x" "" -- -c "echo x"
printf 'echo from rnrrc\nset seed 7\n' >"$HOME/.rnrrc"
t "~/.rnrrc runs first" 0 "from rnrrc${nl}7" "" -- -c "get seed"
t "-n skips ~/.rnrrc" 0 "0" "" -- -n -c "get seed"
printf 'nosuch_rc\n' >"$HOME/.rnrrc"
t "an error in ~/.rnrrc names it and its line; the rest runs; exit 1" 1 "x" "$HOME/.rnrrc:1: unknown command 'nosuch_rc' (try \`help\`)" -- -c "echo x"
rm -f "$HOME/.rnrrc"

# the environment
RNR_THREADS=3
export RNR_THREADS
t "RNR_THREADS sets the default of threads" 0 3 "" -- -n -c "get threads"
RNR_THREADS=lots
cpus=$(getconf _NPROCESSORS_ONLN)
t "a bad RNR_THREADS: a warning naming it, the CPU count kept" 0 "$cpus" \
	"rnr: warning: environment: RNR_THREADS=lots: not a non-negative integer; using $cpus threads (the online CPUs)" \
	-- -n -c "get threads"
unset RNR_THREADS

# -i with stdin not a terminal: the prompt reads the lines after -c
input="echo typed${nl}nosuch4${nl}"
t "-i: -c first, then the prompt reads stdin; exit 0 even after an error" 0 "*" "*" -- -n -i -c "echo first"
unset input
like '^first$' out "-i: the -c command ran"
like 'typed$' out "-i: then the typed line"
like "unknown command 'nosuch4'" err "-i: a prompt error has no FILE:LINE prefix"
like '^echo typed$' "$RNR_HISTORY" "-i: the prompt's history goes to \$RNR_HISTORY"

echo "1..$n"
[ "$failed" = 0 ]
