"""Stage 1 (the teacher) through the standard tools: dist_train.sh with two
CPU ranks, get_flops.py and the error for an unpublished stage 0. MMagic's
unmodified train.py on the teacher: tests/test_tools/test_stage_chain.py."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config

from mmagic.registry import MODELS
from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.models.retinex import DecomNet
from tests.test_tools.tool_runner import (ROOT, assert_ranks_identical_and_trained, demo_options,
                         dist_train_rank_weights, make_pairs, run_tool)

DEMO = 'configs/demo/restorect-teacher_demo.py'


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_pairs(str(tmp_path_factory.mktemp('pairs')))


@pytest.fixture(scope='module')
def stage0_weights(tmp_path_factory):
    """A stage-0 weights file as tools/publish_model.py writes it."""
    torch.manual_seed(0)
    state = {}
    for which in ('low', 'high'):
        state.update({f'decom_{which}.{k}': v
                      for k, v in DecomNet().state_dict().items()})
    path = str(tmp_path_factory.mktemp('stage0') / 'decom.pth')
    torch.save({'state_dict': state}, path)
    return path, state


def _options(data_root, weights, **kwargs):
    return [*demo_options(data_root, **kwargs),
            f'model.decom_weights={weights}']


def test_unpublished_stage0_is_a_clear_error(tmp_path, monkeypatch):
    """Stage 1 before stage 0's publish step: the config's default
    decom_weights, relative to where the command runs, is named (the model
    as train.py builds it, in process)."""
    model = Config.fromfile(osp.join(ROOT, DEMO)).model
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError, match='not found: work_dirs/'
                       'restorect-decom_demo/restorect-decom_demo.pth'):
        MODELS.build(model)


def test_dist_train_two_cpu_ranks_end_with_identical_weights(
        data_root, stage0_weights, tmp_path):
    hooks = [
        "dict(type='EMAHook', momentum=0.05, priority='ABOVE_NORMAL')",
        "dict(type='ProgressivePatchHook', patch_sizes=[24, 32], "
        'batch_sizes=[2, 1], milestones=[2])',
    ]
    initial, final = dist_train_rank_weights(
        DEMO, _options(data_root, stage0_weights[0], max_iters=3,
                       val_interval=3), tmp_path, extra_hooks=hooks)
    assert_ranks_identical_and_trained(initial, final)
    # the frozen DecomNets did not move
    for key in final[0]:
        if key.startswith('decom_'):
            assert torch.equal(initial[0][key], final[0][key]), key


def test_get_flops_prints_a_table():
    proc = run_tool(['tools/analysis_tools/get_flops.py', DEMO, '--shape',
                     '64', '64', '--shape', '32', '48'])
    rows = [ln for ln in proc.stdout.splitlines()
            if re.match(r'\| \d+x\d+ ', ln)]
    assert [r.split('|')[1].strip() for r in rows] == ['64x64', '32x48']
    params = {r.split('|')[2].strip() for r in rows}
    assert len(params) == 1
    macs = [float(r.split('|')[3]) for r in rows]
    gib = [float(r.split('|')[4]) for r in rows]
    assert macs[0] > 0 and macs[1] == pytest.approx(macs[0] * 0.375,
                                                    rel=0.1)
    assert gib[0] == pytest.approx(macs[0] * 1e9 / 2**30, rel=1e-2)
