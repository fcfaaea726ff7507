#!/bin/sh
# torch-python.sh - runs a Python test (tests/*.py) with the first python3
# here that imports torch, torchvision, h5py, numpy and PIL (Debian:
# python3-torch, python3-torchvision, python3-h5py); without one the test
# is a TAP skip, not a failure.
set -u
. "$(dirname "$0")/tap.sh"
# tests/tap.py is imported from the source tree: no __pycache__ there
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
if py=$(python_with 'import torch, torchvision, h5py, numpy, PIL'); then
	exec "$py" "$@"
fi
echo "1..0 # SKIP no python3 with torch, torchvision and h5py (Debian: python3-torchvision python3-h5py)"
exit 0
