# lib.sh - sourced by shell tests: TAP counting and finding a python3.
#
#   ok STATUS DESCRIPTION [DIAGNOSTIC]   one TAP line (STATUS 0 passes); the
#                                         diagnostic is printed as "#   | " lines
#   find_python 'import MOD, ...'        py= the first of $PYTHON3, python3 and
#                                         /usr/bin/python3 that runs the import
#                                         (empty when none does)
# A test ends with: echo "1..$n"; [ "$failed" = 0 ]

n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   | /'
	fi
	return 0
}

find_python() {
	py=
	for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
		if [ -n "$cand" ] && "$cand" -c "$1" 2>/dev/null; then
			py=$cand
			return 0
		fi
	done
	return 1
}
