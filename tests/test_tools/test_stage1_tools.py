"""Stage 1 (the teacher) through the standard tools: MMagic's unmodified
train.py, dist_train.sh with two CPU ranks, and get_flops.py."""
import os.path as osp
import re

import pytest
import torch

from restorect_mm.models.retinex import DecomNet
from tests.test_tools.tool_runner import (assert_ranks_identical_and_trained, demo_options,
                         dist_train_rank_weights, make_pairs, mmagic_tool,
                         run_tool)

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


def test_mmagic_train_tool_trains_one_iteration(data_root, stage0_weights,
                                                tmp_path):
    path, decom_state = stage0_weights
    proc = run_tool([
        mmagic_tool('train.py'), DEMO, '--work-dir', str(tmp_path),
        '--cfg-options',
        *_options(data_root, path, max_iters=1, val_interval=1)
    ])
    log = proc.stdout + proc.stderr
    assert re.search(r'Iter\(train\) \[1/1\].*loss_hvi', log), log[-3000:]
    assert re.search(r'Iter\(val\).*PSNR', log)
    ckpt = torch.load(tmp_path / 'iter_1.pth', weights_only=True)
    # EMAHook: state_dict holds the EMA weights, ema_state_dict the raw ones
    assert 'ema_state_dict' in ckpt
    for key, value in decom_state.items():  # frozen: loaded and unchanged
        assert torch.equal(ckpt['state_dict'][key], value), key
    assert 'hvi_loss.k' in ckpt['state_dict']


def test_missing_decom_weights_is_a_clear_error(data_root, tmp_path):
    proc = run_tool(['tools/train.py', DEMO, '--work-dir', str(tmp_path),
                     '--cfg-options', *demo_options(data_root)], check=False)
    assert proc.returncode != 0
    assert 'model.decom_weights' in proc.stderr
    assert 'publish_model.py' in proc.stderr


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
