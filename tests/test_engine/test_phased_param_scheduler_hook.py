"""The stage-2 LR schedules of the configs, stepped by PhasedParamSchedulerHook,
follow the reference's per-phase rules for any phase length set on the model."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import PARAM_SCHEDULERS

from restorect_mm.engine.hooks import PhasedParamSchedulerHook

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCALE = 1000  # 60k / 80k milestones -> 60 / 80 iterations


class PhasedModel:
    """Names the stepping wrapper from the iteration, as the distiller does."""

    PHASE_OPTIM_WRAPPERS = {1: 'prior_flows', 2: 'student'}

    def __init__(self, encoder_iters):
        self.encoder_iters = encoder_iters

    def optim_wrapper_name(self):
        iteration = MessageHub.get_current_instance().get_info('iter')
        phase = 1 if iteration < self.encoder_iters else 2
        return self.PHASE_OPTIM_WRAPPERS[phase]


def _scaled(schedulers):
    out = []
    for cfg in schedulers:
        cfg = dict(cfg)
        for key in ('milestones',):
            if key in cfg:
                cfg[key] = [m // SCALE for m in cfg[key]]
        if 'step_size' in cfg:
            cfg['step_size'] //= SCALE
        out.append(cfg)
    return out


def run_schedule(config, encoder_iters, max_iters):
    """LR of the stepping wrapper at every iteration, with the config's
    schedules (milestones scaled down) and the hook."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    lr = cfg.optim_wrapper.student.optimizer.lr
    optimizers, schedulers = {}, {}
    for name in ('prior_flows', 'student'):
        param = torch.nn.Parameter(torch.zeros(1))
        optimizers[name] = torch.optim.AdamW([param], lr=lr)
        schedulers[name] = [
            PARAM_SCHEDULERS.build(dict(c, optimizer=optimizers[name]))
            for c in _scaled(cfg.param_scheduler[name])]
    model = PhasedModel(encoder_iters)
    runner = SimpleNamespace(model=model, param_schedulers=schedulers)
    hook = PhasedParamSchedulerHook()
    hub = MessageHub.get_instance('phased_schedule_test')
    seen = []
    for iteration in range(max_iters):
        hub.update_info('iter', iteration)
        name = model.optim_wrapper_name()
        seen.append((name, optimizers[name].param_groups[0]['lr']))
        optimizers[name].step()
        hook.after_train_iter(runner, iteration)
    return lr, seen


@pytest.mark.parametrize('config,encoder_iters,max_iters', [
    ('configs/restorect_student.py', 80, 240),
    ('configs/restorect/restorect-student_8xb8-400k_sid.py', 100, 400),
])
def test_each_phase_follows_the_reference_rule(config, encoder_iters,
                                               max_iters):
    cfg = Config.fromfile(osp.join(ROOT, config))
    assert cfg.model.encoder_iters == encoder_iters * SCALE
    assert cfg.train_cfg.max_iters == max_iters * SCALE
    assert cfg.default_hooks.param_scheduler.type == 'PhasedParamSchedulerHook'
    base, seen = run_schedule(config, encoder_iters, max_iters)
    expected = []
    for it in range(max_iters):
        if it < encoder_iters:
            expected.append(('prior_flows', base * 0.1**(it // 60)))
        else:
            expected.append(
                ('student', base * 0.5**((it - encoder_iters) // 80)))
    assert [n for n, _ in seen] == [n for n, _ in expected]
    assert [v for _, v in seen] == pytest.approx(
        [v for _, v in expected], rel=1e-9)


def test_stock_hook_would_decay_the_student_during_phase_one():
    """Why the hook exists: MMEngine's hook steps every schedule every
    iteration, so a schedule written from 0 runs on in phase 1."""
    from mmengine.hooks import ParamSchedulerHook
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=2e-4)
    scheduler = PARAM_SCHEDULERS.build(
        dict(type='StepLR', by_epoch=False, step_size=80, gamma=0.5,
             optimizer=optimizer))
    runner = SimpleNamespace(model=PhasedModel(100),
                             param_schedulers={'student': [scheduler]})
    for iteration in range(100):  # phase 1: the student never steps
        ParamSchedulerHook().after_train_iter(runner, iteration)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(1e-4)
