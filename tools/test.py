"""Test (and evaluate) a checkpoint: ``python tools/test.py CONFIG CHECKPOINT``.

``--out metrics.json`` writes the metrics as strict JSON: Python floats, and
``null`` for a value that is not finite (the PSNR of an exact output is +inf;
``Infinity`` is not JSON and most readers reject it).
Multi-GPU: ``bash tools/dist_test.sh CONFIG CHECKPOINT GPUS``.
"""
import argparse
import json
import math
import os
import os.path as osp

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import Runner

from restorect_mm.compat import to_python_scalars
from restorect_mm.utils.cli import ToolError, add_common_args, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    add_common_args(parser)
    return parser.parse_args()


def json_safe_metrics(metrics):
    """Metric values as Python numbers; +-inf and NaN become None (null)."""
    values = to_python_scalars(dict(metrics))
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v
        for k, v in values.items()
    }


class SaveMetricsHook(Hook):
    """Writes the test metrics to a JSON file (rank 0 only)."""

    priority = 'LOWEST'

    def __init__(self, out):
        self.out = out

    def after_test_epoch(self, runner, metrics=None):
        if metrics is None or runner.rank != 0:
            return
        os.makedirs(osp.dirname(osp.abspath(self.out)), exist_ok=True)
        with open(self.out, 'w') as f:
            json.dump(json_safe_metrics(metrics), f, indent=2,
                      allow_nan=False)
        print_log(f'Metrics written to {self.out}', 'current')


def main():
    args = parse_args()
    cfg = load_config(args)
    if not osp.isfile(args.checkpoint):
        raise ToolError(f'checkpoint not found: {args.checkpoint}. Give a '
                        'file from a work_dir (iter_*.pth, best_*.pth) or a '
                        'published weights file.')
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    if args.out:
        runner.register_hook(SaveMetricsHook(args.out), 'LOWEST')
    runner.test()


if __name__ == '__main__':
    main()
