#!/usr/bin/env bash
# Quick start: install everything, then run every stage on the embedded demo.
#   bash tools/quickstart.sh [tools/run_demo.py args]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup_env.sh"
python tools/run_demo.py "$@"
