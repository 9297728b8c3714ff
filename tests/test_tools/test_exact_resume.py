"""Kill -9 and resume: a resumed student run ends with weights (raw and EMA)
``torch.equal`` to the uninterrupted run's, whether it was killed in phase 1,
in phase 2 or while a checkpoint was being written, and when the newest
checkpoint is torn. Single process here; two gloo ranks in
test_stage2_tools.py."""
import os
import os.path as osp
import re
import shutil
import signal

import pytest
import torch

from tests.test_tools.test_stage2_tools import STUDENT_DEMO, write_teacher_weights
from tests.test_tools.tool_runner import ROOT, demo_options, make_pairs, run_tool

MAX_ITERS = 8
ENCODER_ITERS = 4  # iterations 0-3 are phase 1, 4-7 phase 2


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('resume')
    data_root = make_pairs(str(tmp / 'pairs'), size=48)
    teacher = write_teacher_weights(tmp / 'teacher.pth')
    options = demo_options(data_root, max_iters=MAX_ITERS, val_interval=3,
                           crop=32)
    # checkpoints every 2 iterations; validation at 3 and 6 sits between
    # them, so a resume must not depend on what validation drew
    options += ['default_hooks.checkpoint.interval=2',
                f'model.teacher_weights={teacher}',
                f'model.encoder_iters={ENCODER_ITERS}']

    def config(name, kill=''):
        path = tmp / f'{name}.py'
        hooks = ["dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.05, "
                 "priority='ABOVE_NORMAL')"]
        if kill:
            hooks.append(f"dict(type='SigkillHook', {kill})")
        path.write_text(
            f"_base_ = '{osp.join(ROOT, STUDENT_DEMO)}'\n"
            "custom_imports = dict(imports=['restorect_mm', "
            "'tests.test_engine.kill_switch'], allow_failed_imports=False)\n"
            f"custom_hooks = [{', '.join(hooks)}]\n")
        return str(path)

    def train(cfg, work_dir, *extra, expect_kill=False):
        proc = run_tool(['tools/train.py', cfg, '--work-dir', str(work_dir),
                         *extra, '--cfg-options', *options],
                        env=dict(PYTHONPATH=ROOT), check=not expect_kill)
        if expect_kill:
            assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
        return proc.stdout + proc.stderr

    reference = tmp / 'reference'
    train(config('plain'), reference)
    return tmp, config, train, reference


def last_checkpoint(work_dir):
    return osp.basename((work_dir / 'last_checkpoint').read_text().strip())


def assert_same_final_weights(work_dir, reference):
    ours = torch.load(work_dir / f'iter_{MAX_ITERS}.pth', weights_only=True)
    theirs = torch.load(reference / f'iter_{MAX_ITERS}.pth',
                        weights_only=True)
    for part in ('state_dict', 'ema_state_dict'):
        assert ours[part].keys() == theirs[part].keys()
        for key, value in theirs[part].items():
            assert torch.equal(ours[part][key], value), f'{part}.{key}'


def test_killed_in_phase_2_resumes_exactly_and_a_torn_latest_falls_back(
        setup):
    tmp, config, train, reference = setup
    killed = tmp / 'killed'
    train(config('kill5', 'at_iter=5'), killed, expect_kill=True)
    assert last_checkpoint(killed) == 'iter_4.pth'  # iteration 5 never ran
    torn = tmp / 'torn'
    shutil.copytree(killed, torn)

    log = train(config('plain'), killed, '--resume')
    assert 'iter_4.pth' in log
    assert_same_final_weights(killed, reference)

    # as a non-atomic writer would leave it: last_checkpoint names a file cut
    # short. The phase-1 checkpoint before it is used, across the switch.
    latest = torn / 'iter_4.pth'
    (torn / 'last_checkpoint').write_text(str(latest))
    latest.write_bytes(latest.read_bytes()[:latest.stat().st_size // 2])
    log = train(config('plain'), torn, '--resume')
    assert 'is incomplete or unreadable' in log
    fallback = re.search(r'resuming from (\S+)iter_(\d+)\.pth, the newest', log)
    assert fallback and fallback.group(1) == f'{torn}{os.sep}'
    assert int(fallback.group(2)) < ENCODER_ITERS  # a phase-1 checkpoint
    assert_same_final_weights(torn, reference)


def test_killed_in_phase_1_while_writing_a_checkpoint(setup):
    tmp, config, train, reference = setup
    work = tmp / 'killed_in_write'
    train(config('kill_write4', 'at_iter=4, during_write=True'), work,
          expect_kill=True)
    # the write never completed: no iter_4.pth under its name, and
    # last_checkpoint still names the previous, complete file
    assert not (work / 'iter_4.pth').exists()
    leftovers = [n for n in os.listdir(work) if n.endswith('.tmp')]
    assert leftovers and all(n.startswith('.iter_4.pth.') for n in leftovers)
    # (MMEngine also saves iter_3.pth when validation at 3 finds a new best)
    named = last_checkpoint(work)
    assert (work / named).is_file() and named in ('iter_2.pth', 'iter_3.pth')

    log = train(config('plain'), work, '--resume')
    assert 'left by a checkpoint write that was interrupted' in log
    assert not [n for n in os.listdir(work) if n.endswith('.tmp')]
    assert_same_final_weights(work, reference)
