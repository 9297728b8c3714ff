"""The learned-vs-frozen comparison: its frozen mode really holds k and s,
and the demo configs really let them learn."""
import argparse
import json
import os.path as osp

import pytest
import torch
from mmengine import Config, DictAction
from mmengine.optim import build_optim_wrapper

from restorect_mm.registry import MODELS
from tests.test_tools.tool_runner import ROOT, load_tool

TOOL = 'tools/analysis_tools/learnable_constraints.py'
CONFIGS = dict(stage0='configs/demo/restorect-decom_demo.py',
               teacher='configs/demo/restorect-teacher_demo.py')


def build(stage, options):
    """The demo model of ``stage`` and its optimiser after ``options``."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[stage]))
    if options:
        cfg.merge_from_dict(
            parser.parse_args(['--cfg-options', *options]).cfg_options)
    if stage == 'teacher':  # random stage-0 nets, no published file
        cfg.model.update(decom_weights=None, allow_untrained_decom=True)
    model = MODELS.build(cfg.model)
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def scalar_lrs(model, wrapper):
    """LR of every k / s parameter in the optimiser."""
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: group['lr']
            for group in wrapper.optimizer.param_groups
            for p in group['params']
            if names[id(p)].endswith(('hvi_loss.k', 'diffusion.scale'))}


@pytest.mark.parametrize('stage', ['stage0', 'teacher'])
def test_frozen_mode_holds_the_scalars_and_learned_mode_trains_them(stage):
    tool = load_tool(TOOL)
    learned = scalar_lrs(*build(stage, []))
    expected = {'texture_loss.diffusion.scale'}
    if stage == 'teacher':
        expected.add('hvi_loss.k')
    assert set(learned) == expected
    assert all(lr == pytest.approx(1e-2) for lr in learned.values())
    frozen, wrapper = build(stage, tool.FROZEN[stage])
    assert scalar_lrs(frozen, wrapper) == {}  # not in the optimiser at all
    assert frozen.texture_loss.diffusion.scale.item() == pytest.approx(0.1)
    assert frozen.texture_loss.loss_weight == 0.05
    if stage == 'teacher':
        assert frozen.hvi_loss.k.item() == 1.0
    # the frozen term is the same term, with s constant
    img, refl = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    learned_model, _ = build(stage, [])
    assert frozen.texture_loss(img, refl).item() == pytest.approx(
        learned_model.texture_loss(img, refl).item(), rel=1e-6)


def test_scalars_are_read_from_the_mmengine_log(tmp_path):
    tool = load_tool(TOOL)
    log = tmp_path / '20261202_000000' / 'vis_data' / 'scalars.json'
    log.parent.mkdir(parents=True)
    rows = [dict(loss=1.0, loss_texture=0.3, texture_scale=0.1, step=20),
            dict(PSNR=15.0, step=100),
            dict(loss=0.8, loss_texture=0.4, texture_scale=0.5, step=200)]
    log.write_text('\n'.join(json.dumps(r) for r in rows))
    train_rows = tool.logged_scalars(str(tmp_path))
    assert len(train_rows) == 2
    assert tool.first_last(train_rows, 'texture_scale') == (0.1, 0.5)
    assert tool.first_last(train_rows, 'hvi_k') == (None, None)
