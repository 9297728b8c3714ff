"""Test (and evaluate) a checkpoint: ``python tools/test.py CONFIG CHECKPOINT``.

``--out metrics.json`` writes the metrics as JSON (Python floats).
Multi-GPU: ``bash tools/dist_test.sh CONFIG CHECKPOINT GPUS``.
"""
import argparse
import json
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
            json.dump(to_python_scalars(dict(metrics)), f, indent=2)
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
