#!/usr/bin/env bash
# Every CUDA-dependent stage at full size on one GPU (under 8 minutes on one
# H200-class GPU), one Markdown table to stdout and a file:
#   bash tools/analysis_tools/gpu_check.sh [--device cuda|cpu] [--tiny]
#       [--work-dir DIR] [--out TABLE.md] [--stages fwd-bwd train restore benchmark]
# --device cpu --tiny runs the same stages with the demo configs and tiny
# images (seconds; tests/test_tools/test_gpu_check.py). See docs/gpu.md.
set -euo pipefail
PYTHON=${PYTHON:-python}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "$PYTHON" tools/analysis_tools/gpu_check.py "$@"
