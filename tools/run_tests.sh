#!/usr/bin/env bash
# Install everything plus the test dependencies, then run the test suite.
#   bash tools/run_tests.sh [pytest args]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup_env.sh"
python -m pip install -q -r requirements/tests.txt
python -m pytest "$@"
