# tap-lib.sh - the TAP helpers shell tests share; source it after setting
# top_srcdir:  . "$top_srcdir/tests/tap-lib.sh"
# Each helper prints one "ok N" / "not ok N" line and counts failures in
# $failed; a test ends with  echo "1..$n"; [ "$failed" = 0 ].
n=0 failed=0

ok() { # ok STATUS WHAT: STATUS 0 passes
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
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
		cut -c1-300 "$3" | sed 's/^/#   | /'
	fi
}

hasnt() { # hasnt WHAT PATTERN FILE: no line of FILE matches PATTERN
	if grep -Eq -- "$2" "$3"; then
		ok 1 "$1"
		cut -c1-300 "$3" | sed 's/^/#   | /'
	else
		ok 0 "$1"
	fi
}

# find_h5py: $py becomes a python3 that imports h5py and numpy, or empty
find_h5py() {
	py=
	for cand in /usr/bin/python3 "${PYTHON3:-}" python3; do
		if [ -n "$cand" ] && "$cand" -c 'import h5py, numpy' 2>/dev/null; then
			py=$cand
			return 0
		fi
	done
	return 1
}
