# lib.sh - sourced by shell tests: TAP counting, common checks, finding a python3.
#
#   ok STATUS DESCRIPTION [DIAGNOSTIC]   one TAP line (STATUS 0 passes); the
#                                         diagnostic is printed as "#   | " lines
#   check WHAT EXPECTED ACTUAL           ok when the strings are equal, else
#                                         prints both
#   has WHAT PATTERN FILE                ok when FILE has a line matching
#                                         PATTERN (grep -E), else prints FILE
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

check() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '#   expected: %s\n#   got:      %s\n' "$2" "$3"
	fi
}

has() {
	if grep -Eq -- "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "#   expected a line matching: $2"
		sed 's/^/#   | /' "$3"
	fi
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
