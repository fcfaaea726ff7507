#!/bin/sh
# torch-python.sh - runs a Python test (tests/*.py) with the first python3
# here that imports torch, torchvision, h5py, numpy and PIL (Debian:
# python3-torch, python3-torchvision, python3-h5py); without one the test
# is a TAP skip, not a failure.
set -u
for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
	if [ -n "$cand" ] &&
		"$cand" -c 'import torch, torchvision, h5py, numpy, PIL' 2>/dev/null; then
		exec "$cand" "$@"
	fi
done
echo "1..0 # SKIP no python3 with torch, torchvision and h5py (Debian: python3-torchvision python3-h5py)"
exit 0
