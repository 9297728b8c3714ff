#!/usr/bin/env bash
# Sourced by tools/quickstart.sh, tools/run_tests.sh and tools/test_stack.sh:
# makes (or reuses) a virtual environment and installs restorect_mm into it.
#   RESTORECT_VENV      where the venv lives (default .venv); ignored when a
#                       venv is already active
#   RESTORECT_TORCH     torch version to install (default: requirements/torch.txt,
#                       the pinned 2.14.1); torchvision follows (torch 2.X.Y ->
#                       torchvision 0.(X+15).Y, or RESTORECT_TORCHVISION), and
#                       numpy<2 for torch < 2.3
#   RESTORECT_SKIP_TORCH=1  keep the torch/torchvision already installed (GPU
#                       machines with their own CUDA build)
#   RESTORECT_MMCV      auto (default: keep an installed mmcv or mmcv-lite, else
#                       install mmcv-lite), mmcv-lite, or mmcv (full mmcv 2.1.0
#                       with its compiled ops, built from source for this torch
#                       unless a wheel is cached in RESTORECT_WHEEL_CACHE)
#   PYTHON              the interpreter that makes the venv (default python3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [ -z "${VIRTUAL_ENV:-}" ]; then
  VENV=${RESTORECT_VENV:-.venv}
  "$PYTHON" -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 12), "restorect_mm supports Python 3.10-3.12"'
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
fi
PREFIX=$(python -c 'import sys; print(sys.prefix)')
echo "restorect_mm: installing into $PREFIX"
# pip install, quiet, without the lines about this machine's absent local indexes
pipq() {
  local rc=0
  python -m pip install -q "$@" 2>"$PREFIX/.pip-stderr" || rc=$?
  grep -v "^WARNING: Location" "$PREFIX/.pip-stderr" >&2 || true
  return "$rc"
}
pipq --upgrade pip
pipq 'setuptools>=77.0.3,<82' wheel

# Everything after torch is installed under a constraints file that holds torch,
# torchvision (and numpy for old torch) where they are, so no later package
# can move them.
CONSTRAINTS="$PREFIX/restorect-constraints.txt"
if [ "${RESTORECT_SKIP_TORCH:-0}" != "1" ]; then
  if [ -n "${RESTORECT_TORCH:-}" ]; then
    minor=$(echo "$RESTORECT_TORCH" | cut -d. -f2)
    patch=$(echo "$RESTORECT_TORCH" | cut -d. -f3)
    TORCHVISION=${RESTORECT_TORCHVISION:-0.$((minor + 15)).${patch:-0}}
    TORCH_REQS=("torch==$RESTORECT_TORCH" "torchvision==$TORCHVISION")
    [ "$minor" -lt 3 ] && TORCH_REQS+=('numpy<2')
  else
    mapfile -t TORCH_REQS < <(grep -v '^#' requirements/torch.txt | sed '/^$/d')
  fi
  pipq "${TORCH_REQS[@]}"
fi
python - "$CONSTRAINTS" <<'PY'
import importlib.metadata as m, sys
lines = [f'{name}=={m.version(name)}' for name in ('torch', 'torchvision')]
if int(m.version('torch').split('.')[1]) < 3 and m.version('torch').startswith('2.'):
    lines.append('numpy<2')
open(sys.argv[1], 'w').write('\n'.join(lines) + '\n')
PY
pipq -c "$CONSTRAINTS" -r requirements/runtime.txt
# mmagic's declared dependencies pull mediapipe, numba and two more opencv
# builds: install it alone, then what it really needs
pipq -c "$CONSTRAINTS" --no-deps -r requirements/mmagic.txt
pipq -c "$CONSTRAINTS" -r requirements/mmagic_runtime.txt
# the LIVE BRISQUE model file, without the package's compiled dependencies
pipq -c "$CONSTRAINTS" --no-deps -r requirements/brisque_model.txt

# mmcv: one flavour only; both own the mmcv/ folder
installed_mmcv=$(python -c '
import importlib.metadata as m
for name in ("mmcv", "mmcv-lite"):
    try:
        m.version(name); print(name); break
    except m.PackageNotFoundError:
        pass')
case "${RESTORECT_MMCV:-auto}" in
  auto)
    [ -n "$installed_mmcv" ] || pipq -c "$CONSTRAINTS" -r requirements/mmcv.txt ;;
  mmcv-lite)
    if [ "$installed_mmcv" = mmcv ]; then
      echo "restorect_mm: full mmcv is installed; not replacing it by mmcv-lite (uninstall it first if you mean to)" >&2
      exit 1
    fi
    [ -n "$installed_mmcv" ] || pipq -c "$CONSTRAINTS" -r requirements/mmcv.txt ;;
  mmcv)
    if [ "$installed_mmcv" != mmcv ]; then
      CACHE=${RESTORECT_WHEEL_CACHE:-$HOME/.cache/restorect_mm/wheels}
      TAG="torch$(python -c 'import torch; print(torch.__version__.split("+")[0])')"
      mkdir -p "$CACHE/$TAG"
      if ! ls "$CACHE/$TAG"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        echo "restorect_mm: building full mmcv 2.1.0 with its ops for $TAG (10-16 minutes on 2 cores)"
        pipq ninja
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} python -m pip wheel -q --no-deps \
          --no-build-isolation -w "$CACHE/$TAG" mmcv==2.1.0
      fi
      [ "$installed_mmcv" = mmcv-lite ] && python -m pip uninstall -q -y mmcv-lite
      pipq -c "$CONSTRAINTS" --no-deps "$CACHE/$TAG"/mmcv-2.1.0-*.whl
      pipq -c "$CONSTRAINTS" addict packaging pyyaml yapf
    fi ;;
  *) echo "RESTORECT_MMCV must be auto, mmcv-lite or mmcv" >&2; exit 2 ;;
esac
# one editable install at a time: two stacks may be set up side by side
# (.ci/run), and each writes restorect_mm.egg-info into the source tree
(
  flock 9
  pipq --no-deps --no-build-isolation -e .
) 9>"${TMPDIR:-/tmp}/restorect_mm-editable-install.lock"
python -c 'import restorect_mm, torch, mmcv; print(f"restorect_mm: torch {torch.__version__}, mmcv {mmcv.__version__}")'
