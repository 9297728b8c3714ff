"""The stage-1 LR schedule of the reference (cyclic cosine with restart and
per-period eta_min) built from MMEngine's CosineRestartLR pieces."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def closed_form(step, base, periods, eta_mins, weights=(1.0, 1.0)):
    """Restormer's CosineAnnealingRestartCyclicLR, restart at step == p0."""
    start = 0
    for period, eta_min, weight in zip(periods, eta_mins, weights):
        if step < start + period:
            t = (step - start) / period
            return eta_min + weight * 0.5 * (base - eta_min) * (
                1 + math.cos(math.pi * t))
        start += period
    return None


def _scaled(cfg_schedulers, scale):
    """The config's schedulers with periods / begin / end divided."""
    out = []
    for cfg in cfg_schedulers:
        cfg = dict(cfg)
        cfg['periods'] = [p // scale for p in cfg['periods']]
        cfg['begin'] //= scale
        cfg['end'] //= scale
        out.append(cfg)
    return out


def _run(schedulers_cfg, steps, lr):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=lr, betas=(0.9, 0.999),
                                  weight_decay=0)
    schedulers = [PARAM_SCHEDULERS.build(dict(cfg, optimizer=optimizer))
                  for cfg in schedulers_cfg]
    seen = []
    for _ in range(steps):
        seen.append(optimizer.param_groups[0]['lr'])  # lr of this iteration
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return seen


def test_config_schedule_matches_the_closed_form():
    cfg = Config.fromfile(
        f'{ROOT}/configs/_base_/schedules/restorect_teacher_300k.py')
    assert cfg.optim_wrapper.optimizer.lr == 2e-4
    assert cfg.optim_wrapper.optimizer.betas == (0.9, 0.999)
    assert cfg.optim_wrapper.optimizer.weight_decay == 0
    scale = 1000  # periods 92 and 208 iterations
    seen = _run(_scaled(cfg.param_scheduler, scale), 300, 2e-4)
    expected = [closed_form(s, 2e-4, (92, 208), (2.55e-4, 1e-6))
                for s in range(300)]
    assert seen == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # the shape the reference intends: up to 2.55e-4, restart, down to 1e-6
    assert seen[0] == 2e-4 and seen[91] == pytest.approx(2.55e-4, rel=1e-3)
    assert seen[92] == 2e-4
    assert seen[-1] == pytest.approx(1e-6, rel=0.05)


def test_one_cosine_restart_scheduler_cannot_express_two_eta_mins():
    """Why the config uses two pieces: with a single CosineRestartLR both
    periods share one eta_min."""
    seen = _run([dict(type='CosineRestartLR', by_epoch=False,
                      periods=[92, 208], restart_weights=[1, 1],
                      eta_min=1e-6)], 300, 2e-4)
    assert seen[91] < 2e-4  # decays in the first period instead of rising


def test_ema_momentum_is_one_minus_decay():
    from mmengine.model import ExponentialMovingAverage
    cfg = Config.fromfile(
        f'{ROOT}/configs/_base_/schedules/restorect_teacher_300k.py')
    ema_cfg = [h for h in cfg.custom_hooks if h.type == 'EMAHook'][0]
    assert ema_cfg.momentum == pytest.approx(1 - 0.999)
    source = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(source.weight)
    ema = ExponentialMovingAverage(source, momentum=ema_cfg.momentum)
    with torch.no_grad():
        source.weight.fill_(1.0)
    ema.update_parameters(source)  # first call copies
    with torch.no_grad():
        source.weight.fill_(2.0)
    ema.update_parameters(source)
    # ema = 0.999 * 1 + 0.001 * 2
    assert ema.module.weight.item() == pytest.approx(0.999 + 0.002)
