"""Train a restorect_mm (or any MMagic) config: ``python tools/train.py CONFIG``.

Same flags as MMagic's tools/train.py; ``--resume`` also takes a checkpoint path.
Multi-GPU: ``bash tools/dist_train.sh CONFIG GPUS``.
"""
import argparse
import logging

import restorect_mm  # noqa: F401  (compatibility fixes, registration)
from mmengine.logging import print_log
from mmengine.runner import Runner

from restorect_mm.utils.cli import ToolError, add_common_args, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        help='resume from the latest checkpoint in the work_dir, or from '
        'the given checkpoint path')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument(
        '--auto-scale-lr', action='store_true', help='scale the LR by GPUs')
    add_common_args(parser)
    return parser.parse_args()


def enable_amp(cfg):
    """Turn every OptimWrapper of the config into an AmpOptimWrapper."""
    import torch
    if not torch.cuda.is_available():
        raise ToolError('--amp needs a CUDA GPU (MMEngine\'s AmpOptimWrapper '
                        'does not run on the CPU); drop --amp on this machine.')
    optim = cfg.optim_wrapper
    wrappers = [optim] if 'type' in optim else [
        v for v in optim.values() if isinstance(v, dict) and 'type' in v
    ]
    for wrapper in wrappers:
        if wrapper['type'] == 'AmpOptimWrapper':
            print_log('AMP already enabled in the config', 'current',
                      logging.WARNING)
            continue
        if wrapper['type'] != 'OptimWrapper':
            raise ToolError(f'--amp supports OptimWrapper only, got '
                            f'{wrapper["type"]}')
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper['loss_scale'] = 'dynamic'


def main():
    args = parse_args()
    cfg = load_config(args)
    if args.amp:
        enable_amp(cfg)
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    runner = Runner.from_cfg(cfg)
    runner.train()
    print_log(f'Checkpoints and logs are in {cfg.work_dir}', 'current')


if __name__ == '__main__':
    main()
