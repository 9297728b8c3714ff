#!/usr/bin/env bash
# Install everything plus the test dependencies, then run the test suite.
#   bash tools/run_tests.sh [pytest args]
# The stack is chosen as in tools/setup_env.sh (RESTORECT_VENV, RESTORECT_TORCH,
# RESTORECT_MMCV); tools/test_stack.sh wraps it for one stack.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup_env.sh"
pipq -c "$CONSTRAINTS" -r requirements/tests.txt
pipq -c "$CONSTRAINTS" --no-deps -r requirements/mim.txt
python -m pytest "$@"
