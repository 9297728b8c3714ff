"""Parameters and multiply-accumulates of a config's generator or model.

    python tools/analysis_tools/get_flops.py configs/restorect_teacher.py
    python tools/analysis_tools/get_flops.py CONFIG --part model --shape 256 256

Counted with MMEngine's ``get_model_complexity_info`` (mmengine.analysis),
which counts one multiply-accumulate per fused multiply-add of convolutions,
matrix products and linear layers (plus small norm terms): the table's GMAC
is MACs / 1e9. The low-light literature's "FLOPs (G)" (Retinexformer,
HVI-CIDNet) are MACs / 2^30 at 1 x 3 x 256 x 256; that column is printed
too. FLOPs in the strict sense are about 2 x MACs.

Parts:
  generator  G alone, as at inference: ``G(x, z_rex, z_img)`` for an RGFormer
             (the auxiliary Retinex head is not run, but its parameters are
             counted in "params"), ``G(x)`` for other generators.
  model      the teacher's whole forward (frozen DecomNets, prior encoders on
             LQ + GT, G) for a RestoRectTeacher; ``model(x, mode='tensor')``
             otherwise.
Weights are not loaded (the sizes do not depend on them).
"""
import argparse
import os.path as osp
import sys

import restorect_mm  # noqa: F401  (fixes and registration first)

import torch
import torch.nn as nn
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from mmagic.registry import MODELS

DEFAULT_SHAPES = ((256, 256), (400, 600))


class _TeacherForward(nn.Module):
    """``teacher.restore(lq, gt)`` as a module with tensor inputs."""

    def __init__(self, teacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, lq, gt):
        return self.teacher.restore(lq, gt)


class _TensorForward(nn.Module):
    """``model(x, mode='tensor')`` as a module with one tensor input."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--part', choices=['generator', 'model'],
                        default='generator', help='what to measure')
    parser.add_argument('--shape', type=int, nargs=2, action='append',
                        metavar=('H', 'W'),
                        help='input size; repeatable (default: 256 256 and '
                        '400 600)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    return parser.parse_args(argv)


def build_model(cfg):
    """Build ``cfg.model`` on the CPU without loading any weights file."""
    model_cfg = cfg.model.copy()
    for key in ('decom_weights', 'decom_low_weights', 'decom_high_weights'):
        if key in model_cfg:
            model_cfg[key] = None
    if model_cfg.get('type') == 'RestoRectTeacher':
        model_cfg['allow_untrained_decom'] = True
    return MODELS.build(model_cfg).eval()


def _prior_sizes(generator_cfg):
    """(z_rex, z_img) lengths of an RGFormer config."""
    rex = sum(generator_cfg.get('rex_split', (192, 64)))
    return rex, generator_cfg.get('prior_dim', 256)


def measured_module(model, cfg, part, h, w):
    """The module to analyse and its example inputs (batch 1)."""
    img = torch.rand(1, 3, h, w)
    if part == 'generator':
        generator = model.generator
        if type(generator).__name__ == 'RGFormer':
            rex, dim = _prior_sizes(cfg.model.generator)
            return generator, (img, torch.rand(1, rex), torch.rand(1, dim))
        return generator, (img, )
    if hasattr(model, 'restore') and hasattr(model, 'compute_priors'):
        return _TeacherForward(model), (img, torch.rand(1, 3, h, w))
    return _TensorForward(model), (img, )


def count_params(module):
    return sum(p.numel() for p in module.parameters())


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        sys.exit(f'error: config not found: {args.config}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    model = build_model(cfg)
    if args.part == 'generator' and not hasattr(model, 'generator'):
        sys.exit(f'error: {type(model).__name__} has no generator; use '
                 '--part model')
    shapes = [tuple(s) for s in args.shape] if args.shape else DEFAULT_SHAPES

    rows = []
    for h, w in shapes:
        module, inputs = measured_module(model, cfg, args.part, h, w)
        with torch.no_grad():
            info = get_model_complexity_info(
                module, inputs=inputs, show_table=False, show_arch=False)
        rows.append((f'{h}x{w}', count_params(module), info['flops']))

    print(f'{args.config}: {args.part} ({type(model).__name__})')
    print('| input (HxW) | params | GMAC (MAC/1e9) | GMAC (MAC/2^30) |')
    print('| --- | --- | --- | --- |')
    for shape, params, macs in rows:
        print(f'| {shape} | {params:,} | {macs / 1e9:.3f} | '
              f'{macs / 2**30:.3f} |')
    return rows


if __name__ == '__main__':
    main()
