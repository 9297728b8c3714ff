"""Time training iterations of a config's model and report peak memory.

    python tools/analysis_tools/benchmark_train_step.py configs/restorect_teacher.py \
        --iters 10 --warmup 3 --batch 8 --size 192 [--amp] [--device cuda]

Builds the model and its optimiser wrappers from the config exactly as the
Runner does (MMEngine's optimiser constructors), feeds random image pairs of
the given size, and prints the median step time and the peak GPU memory.
Stage-2 configs get ``allow_untrained_teacher=True`` (random teacher weights
are fine for timing); stage-1 configs ``allow_untrained_decom=True``.
``--phase 2`` times the distiller's phase 2 (everything trains).
``--ema TYPE`` (``ExponentialMovingAverage``, MMEngine's, or ``TrainableEMA``)
also builds that average as EMAHook does and times its update after each
step, and reports the memory the averaged copy adds.
"""
import argparse
import json
import statistics
import time

import restorect_mm  # noqa: F401
import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

from mmagic.registry import MODELS
from mmagic.structures import DataSample


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=192)
    parser.add_argument('--amp', action='store_true',
                        help='AmpOptimWrapper (bf16 autocast) on CUDA')
    parser.add_argument('--phase', type=int, choices=[1, 2], default=2)
    parser.add_argument('--device', default=None)
    parser.add_argument(
        '--ema', choices=['ExponentialMovingAverage', 'TrainableEMA'],
        help='also time the update of this EMA and report its extra memory')
    parser.add_argument('--out', help='write the figures to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def build(cfg, device, amp):
    from mmengine.optim import build_optim_wrapper
    model_cfg = cfg.model.copy()
    if model_cfg['type'] == 'RestoRectDistiller':
        model_cfg.update(teacher_weights=None, allow_untrained_teacher=True)
    if model_cfg['type'] == 'RestoRectTeacher':
        model_cfg.update(decom_weights=None, allow_untrained_decom=True)
    model = MODELS.build(model_cfg).to(device)
    optim_cfg = cfg.optim_wrapper.copy()
    if amp:
        wrappers = [optim_cfg] if 'type' in optim_cfg else [
            v for v in optim_cfg.values() if isinstance(v, dict)]
        for wrapper in wrappers:
            wrapper.update(type='AmpOptimWrapper', dtype='bfloat16')
    return model, build_optim_wrapper(model, optim_cfg)


def extra_bytes(averaged, model):
    """Bytes of the averaged model's tensors that it does not share with the
    model (what the EMA copy costs)."""
    shared = {t.data_ptr() for t in model.state_dict().values()}
    return sum(t.numel() * t.element_size()
               for t in averaged.module.state_dict().values()
               if t.data_ptr() not in shared)


def fake_batch(batch, size, device):
    gt = torch.rand(batch, 3, size, size, device=device) * 255
    inputs = [(x * 0.25).round() for x in gt]
    return dict(inputs=inputs, data_samples=[DataSample(gt_img=y) for y in gt])


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.amp and not device.startswith('cuda'):
        raise SystemExit('error: --amp needs a CUDA device')
    model, optim = build(cfg, device, args.amp)
    model.train()
    encoder_iters = getattr(model, 'encoder_iters', 0)
    MessageHub.get_current_instance().update_info(
        'iter', encoder_iters if args.phase == 2 else 0)
    ema = None
    if args.ema:
        ema = MODELS.build(dict(type=args.ema, model=model, momentum=0.001))
    times, ema_times = [], []
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    for step in range(args.warmup + args.iters):
        data = fake_batch(args.batch, args.size, device)
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        model.train_step(data, optim)
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
        if ema is not None:
            start = time.perf_counter()
            ema.update_parameters(model)
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            if step >= args.warmup:
                ema_times.append(time.perf_counter() - start)
    figures = dict(
        config=args.config, device=device, amp=args.amp,
        batch=args.batch, size=args.size, phase=args.phase,
        median_step_s=statistics.median(times),
        trainable_params=sum(p.numel() for p in model.parameters()
                             if p.requires_grad))
    if ema is not None:
        figures.update(ema=args.ema,
                       median_ema_update_s=statistics.median(ema_times),
                       ema_extra_mib=extra_bytes(ema, model) / 2**20)
    if device.startswith('cuda'):
        figures['peak_memory_gib'] = torch.cuda.max_memory_allocated() / 2**30
        figures['gpu'] = torch.cuda.get_device_name()
    for key, value in figures.items():
        print(f'{key}: {value}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(figures, f, indent=2)
    return figures


if __name__ == '__main__':
    main()
