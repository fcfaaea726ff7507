# tap.sh - TAP helpers for the shell tests, sourced (". tests/tap.sh"):
# counted checks that print what was expected and what came, and the
# python3 that has h5py.  The caller ends with: echo "1..$n"; [ "$failed" = 0 ]
n=0 failed=0

ok() { # ok STATUS WHAT [DIRECTIVE]: STATUS 0 passes; a TODO directive never fails
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2${3:+ # $3}"
	else
		echo "not ok $n - $2${3:+ # $3}"
		case ${3:-} in TODO*) ;; *) failed=$((failed + 1)) ;; esac
	fi
}

check() { # check WHAT EXPECTED ACTUAL: equal strings, else print both
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '#   expected: %s\n#   got:      %s\n' "$2" "$3"
	fi
}

has() { # has WHAT PATTERN FILE: FILE has a line matching PATTERN (grep -E)
	if grep -Eq -- "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "#   expected a line matching: $2"
		sed 's/^/#   | /' "$3"
	fi
}

hasnt() { # hasnt WHAT PATTERN FILE: no line of FILE matches PATTERN (grep -E)
	if grep -Eq -- "$2" "$3"; then
		ok 1 "$1"
		echo "#   expected no line matching: $2"
		sed 's/^/#   | /' "$3"
	else
		ok 0 "$1"
	fi
}

# The python3 that runs STATEMENT, e.g. 'import torch, h5py' ($PYTHON3,
# python3 on PATH, /usr/bin/python3), printed; nothing and status 1 when
# there is none.
python_with() {
	for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
		if [ -n "$cand" ] && "$cand" -c "$1" 2>/dev/null; then
			echo "$cand"
			return 0
		fi
	done
	return 1
}

# The python3 that imports h5py, as python_with.
h5py_python() {
	python_with 'import h5py'
}

# same_bits WHAT A.h5 B.h5 PATH...: the datasets at the PATHs (a group: every
# dataset under it) bit-identical in both files (tests/same-bits.sh); a SKIP
# without h5py and h5dump.
same_bits() {
	_what=$1
	shift
	_out=$("$top_srcdir/tests/same-bits.sh" "$@")
	case $? in
	0) ok 0 "$_what" ;;
	77) ok 0 "$_what" "SKIP $_out" ;;
	*)
		ok 1 "$_what"
		echo "#   differ: $_out"
		;;
	esac
}

# signal_after PATTERN SIGNAL OUT COMMANDS: run "$RNR -n -c COMMANDS" in the
# background with its output in OUT, send SIGNAL once OUT has a line matching
# PATTERN (or after 30 s, or not at all if rnr exits first), wait for it;
# its exit status in $status.  $pid names it meanwhile, for a cleanup trap.
signal_after() {
	"$RNR" -n -c "$4" >"$3" 2>&1 &
	pid=$!
	_i=0
	while ! grep -q -- "$1" "$3" 2>/dev/null && [ $_i -lt 600 ]; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	kill "-$2" "$pid" 2>/dev/null
	wait "$pid"
	status=$?
	pid=
}

# A scratch directory $tmp removed at exit, with the background process
# $pid (set it when one is started) killed first; INT, TERM and HUP exit
# through the same cleanup.
scratch_with_child() {
	tmp=$(mktemp -d) || exit 1
	pid=
	trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM HUP
}
