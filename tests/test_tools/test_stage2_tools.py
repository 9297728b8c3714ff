"""Stage 2 through the standard tools: two CPU ranks through both phases with
identical weights, resumption after a kill, the full-size configs and MMagic's
NAFNet as the student. Extraction and test.py on the standalone student:
tests/test_tools/test_stage_chain.py."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmagic.registry import MODELS
from tests.test_tools.tool_runner import ROOT, demo_options, make_pairs, run_tool

STUDENT_DEMO = 'configs/demo/restorect-student_demo.py'
INFERENCE_DEMO = 'configs/demo/restorect-student-inference_demo.py'


def write_teacher_weights(path):
    """A teacher weights file shaped like the demo teacher (random weights)."""
    model = Config.fromfile(osp.join(ROOT, STUDENT_DEMO)).model
    parts = dict(
        generator=model.teacher_generator,
        rex_prior=model.teacher_rex_prior,
        img_prior=model.teacher_img_prior,
        decom_low=model.decom_low,
        decom_high=model.decom_high)
    state = {}
    for name, cfg in parts.items():
        for key, value in MODELS.build(cfg).state_dict().items():
            state[f'{name}.{key}'] = value
    torch.save({'state_dict': state}, path)
    return str(path)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def dist_run(tmp_path_factory):
    """2 gloo ranks, 4 iterations: phase 1 for 2, phase 2 for 2."""
    tmp = tmp_path_factory.mktemp('stage2')
    data_root = make_pairs(str(tmp / 'pairs'), size=48)
    teacher = write_teacher_weights(tmp / 'teacher.pth')
    options = demo_options(data_root, max_iters=4, val_interval=4, crop=32)
    options += [f'model.teacher_weights={teacher}', 'model.encoder_iters=2',
                'default_hooks.checkpoint.interval=2']

    def train(work_dir, *extra, kill_at=None):
        """2 ranks; ``kill_at``: SIGKILL rank 0 before that iteration."""
        config = work_dir.with_suffix('.py')
        hooks = ["dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.001)",
                 f"dict(type='DumpRankWeightsHook', out_prefix='{work_dir}_rank')"]
        if kill_at is not None:
            hooks.append(f"dict(type='SigkillHook', at_iter={kill_at})")
        config.write_text(
            f"_base_ = '{osp.join(ROOT, STUDENT_DEMO)}'\n"
            "custom_imports = dict(imports=['restorect_mm', "
            "'tests.test_engine.kill_switch'], allow_failed_imports=False)\n"
            f"custom_hooks = [{', '.join(hooks)}]\n")
        env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
                   CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
        proc = subprocess.run([
            'bash', 'tools/dist_train.sh', str(config), '2', '--work-dir',
            str(work_dir), *extra, '--cfg-options', *options
        ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert (proc.returncode != 0) == (kill_at is not None), \
            proc.stderr[-6000:]
        return proc.stdout + proc.stderr

    log = train(tmp / 'work')
    for rank in (0, 1):  # the names the tests below read
        for suffix in ('', '_initial'):
            os.replace(tmp / f'work_rank{rank}{suffix}.pth',
                       tmp / f'rank{rank}{suffix}.pth')
    return tmp, data_root, log, train


def test_both_phases_run_on_two_ranks_with_identical_weights(dist_run):
    tmp, _, log, _ = dist_run
    assert 'phase: 1.0000' in log and 'phase: 2.0000' in log
    rank0 = torch.load(tmp / 'rank0.pth', weights_only=True)
    rank1 = torch.load(tmp / 'rank1.pth', weights_only=True)
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), key
    initial = torch.load(tmp / 'rank0_initial.pth', weights_only=True)
    moved = {k.split('.')[0] for k in rank0
             if not torch.equal(initial[k], rank0[k])}
    # phase 1 trained the flows, phase 2 the generator; the teacher is frozen
    assert {'prior_flows', 'generator'} <= moved
    assert not moved & {'teacher_generator', 'teacher_rex_prior',
                        'decom_low', 'decom_high'}


def test_killed_two_rank_run_resumes_to_identical_weights(dist_run):
    """SIGKILL of rank 0 in phase 2 (iteration 3) ends the job; resumed from
    the phase-1 checkpoint iter_2.pth with two ranks it crosses the switch
    and ends with the uninterrupted run's weights, raw and EMA."""
    tmp, _, _, train = dist_run
    work = tmp / 'killed'
    train(work, kill_at=3)
    assert not (work / 'iter_4.pth').exists()
    log = train(work, '--resume')
    assert 'iter_2.pth' in log
    ours = torch.load(work / 'iter_4.pth', weights_only=True)
    reference = torch.load(tmp / 'work' / 'iter_4.pth', weights_only=True)
    for part in ('state_dict', 'ema_state_dict'):
        for key, value in reference[part].items():
            assert torch.equal(ours[part][key], value), f'{part}.{key}'


@pytest.mark.parametrize('config', [
    'configs/restorect_student.py',
    'configs/restorect/restorect-student_8xb8-240k_lolv1.py',
    'configs/restorect/restorect-student_8xb8-240k_lolv2-real.py',
    'configs/restorect/restorect-student_8xb8-240k_lolv2-syn.py',
])
def test_full_size_student_configs_build(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    assert cfg.model_wrapper_cfg.type == 'PhasedDistributedDataParallel'
    assert set(cfg.optim_wrapper) >= {'prior_flows', 'student'}
    assert cfg.train_dataloader.batch_size == 8
    cfg.model.teacher_weights = None
    cfg.model.allow_untrained_teacher = True
    model = MODELS.build(cfg.model)
    assert model.num_steps == 4
    # each phase's schedule counts its own steps: no config restates where
    # phase 2 begins (tests/test_engine/test_phased_param_scheduler_hook.py)
    assert cfg.default_hooks.param_scheduler.type == 'PhasedParamSchedulerHook'
    for schedulers in cfg.param_scheduler.values():
        assert all('begin' not in s and 'end' not in s for s in schedulers)


def test_mmagic_nafnet_student_trains_through_mmagic_train_py(tmp_path):
    """An MMagic generator as the student, driven by MMagic's own tool."""
    from tests.test_tools.tool_runner import mmagic_tool
    data_root = make_pairs(str(tmp_path / 'pairs'), size=48)
    teacher = write_teacher_weights(tmp_path / 'teacher.pth')
    proc = run_tool([
        mmagic_tool('train.py'), 'configs/demo/restorect-student-nafnet_demo.py',
        '--work-dir', str(tmp_path / 'work'), '--cfg-options',
        *demo_options(data_root, max_iters=2, val_interval=2, crop=32),
        f'model.teacher_weights={teacher}'
    ])
    log = proc.stdout + proc.stderr
    assert 'loss_flex' in log and 'loss_velocity' not in log
    assert 'PSNR' in log
    state = torch.load(tmp_path / 'work' / 'iter_2.pth',
                       weights_only=True)['state_dict']
    assert any(k.startswith('feature_adapters.') for k in state)
    assert any(k.startswith('generator.intro') for k in state)
    # the NAFNet student is extracted into MMagic BaseEditModel weights that
    # tools/test.py evaluates with the NAFNet inference config
    proc = run_tool(['tools/model_converters/extract_student.py',
                     str(tmp_path / 'work' / 'iter_2.pth'),
                     str(tmp_path / 'nafnet.pth')])
    weights = proc.stdout.strip().splitlines()[-1]
    extracted = torch.load(weights, weights_only=True)
    assert extracted['meta']['model'] == 'BaseEditModel'
    assert all(k.startswith('generator.') for k in extracted['state_dict'])
    out = tmp_path / 'nafnet_metrics.json'
    run_tool(['tools/test.py',
              'configs/demo/restorect-student-nafnet-inference_demo.py',
              weights, '--work-dir', str(tmp_path / 'test'), '--out',
              str(out), '--cfg-options',
              f'test_dataloader.dataset.data_root={data_root}'])
    metrics = json.loads(out.read_text())
    assert set(metrics) == {'PSNR', 'SSIM'} and metrics['PSNR'] > 0
