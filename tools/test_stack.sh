#!/usr/bin/env bash
# Run the test suite on one stack, in a venv of its own:
#   bash tools/test_stack.sh TORCH_VERSION [mmcv-lite|mmcv] [pytest args]
# e.g. bash tools/test_stack.sh 2.1.2            (the oldest supported stack)
#      bash tools/test_stack.sh 2.1.2 mmcv       (full mmcv 2.1.0 with its ops,
#                                                built from source once, cached)
#      bash tools/test_stack.sh 2.14.1 mmcv-lite -k checkpoint
# torchvision follows torch (2.X.Y -> 0.(X+15).Y), numpy < 2 below torch 2.3.
# The venv is .venv-stacks/torch<VERSION>-<flavour> (RESTORECT_VENV overrides).
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
TORCH_VERSION=$1
shift
FLAVOUR=mmcv-lite
case "${1:-}" in
  mmcv|mmcv-lite) FLAVOUR=$1; shift ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset VIRTUAL_ENV
export RESTORECT_TORCH=$TORCH_VERSION RESTORECT_MMCV=$FLAVOUR
export RESTORECT_VENV=${RESTORECT_VENV:-.venv-stacks/torch$TORCH_VERSION-$FLAVOUR}
mkdir -p "$(dirname "$RESTORECT_VENV")"
echo "test_stack: torch $TORCH_VERSION, $FLAVOUR, venv $RESTORECT_VENV"
exec bash tools/run_tests.sh "$@"
