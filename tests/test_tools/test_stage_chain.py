"""The stages chain as typed, on the demo configs: stage 0 -> publish_model.py
-> stage 1 -> publish_model.py -> stage 2 -> extract_student.py -> test.py,
with no weight path on any command line: each config reads the stable name
that the previous stage's publish step wrote into that stage's work_dir. The
command lines set the data and the iteration counts only. The commands run in
a fresh folder standing in for the repository root (stage 0:
``stage0_run`` in tests/test_tools/conftest.py).

It also holds the checks of the per-stage steps it replaced: the published
file's hash and contents (stage 0), MMagic's own train.py on the teacher with
the frozen stage-0 weights (stage 1), and test.py on the extracted student
(stage 2)."""
import hashlib
import json
import os.path as osp
import re

import torch

from tests.test_tools.tool_runner import (ROOT, demo_options, mmagic_tool,
                                         run_tool)

TEACHER_DEMO = 'configs/demo/restorect-teacher_demo.py'
STUDENT_DEMO = 'configs/demo/restorect-student_demo.py'
INFERENCE_DEMO = 'configs/demo/restorect-student-inference_demo.py'


def _publish(script, root, checkpoint, out):
    """Run a publishing tool in ``root``; check the hashed file (last line
    printed) and its stable copy ``out`` (printed before); return both."""
    proc = run_tool([osp.join(ROOT, script), checkpoint, out], cwd=root)
    lines = proc.stdout.strip().splitlines()
    hashed, stable = root / lines[-1], root / out
    assert lines[-2].endswith(out), proc.stdout
    stem = osp.splitext(osp.basename(out))[0]
    data = hashed.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:8]
    assert hashed.name == f'{stem}-{digest}.pth'
    assert hashed.parent == stable.parent
    assert stable.read_bytes() == data
    return hashed, stable


def _log(proc):
    return proc.stdout + proc.stderr


def test_stages_chain_with_the_default_weight_paths(stage0_run, demo_pairs):
    root, decom_dir, _ = stage0_run

    # stage 0 -> the weights-only file, under the name stage 1 reads
    _, decom = _publish('tools/publish_model.py', root,
                        'work_dirs/restorect-decom_demo/iter_4.pth',
                        'work_dirs/restorect-decom_demo/restorect-decom_demo.pth')
    decom_state = torch.load(decom, weights_only=True)['state_dict']
    trained = torch.load(osp.join(decom_dir, 'iter_4.pth'),
                         weights_only=True)['state_dict']
    assert set(decom_state) == {k for k, v in trained.items()
                                if torch.is_tensor(v)}
    for key, value in decom_state.items():
        assert torch.equal(value, trained[key]), key

    # stage 1 with MMagic's own train.py: the frozen DecomNets are stage 0's
    log = _log(run_tool([mmagic_tool('train.py'), osp.join(ROOT, TEACHER_DEMO),
                         '--cfg-options', *demo_options(
                             demo_pairs, max_iters=1, val_interval=1)],
                        cwd=root))
    assert re.search(r'Iter\(train\) \[1/1\].*loss_hvi', log), log[-3000:]
    assert re.search(r'Iter\(val\).*PSNR', log)
    ckpt = torch.load(root / 'work_dirs/restorect-teacher_demo/iter_1.pth',
                      weights_only=True)
    # EMAHook: state_dict holds the EMA weights, ema_state_dict the raw ones
    assert 'ema_state_dict' in ckpt and 'hvi_loss.k' in ckpt['state_dict']
    decom_keys = [k for k in decom_state if k.startswith('decom_')]
    assert decom_keys
    for key in decom_keys:  # loaded and unchanged
        assert torch.equal(ckpt['state_dict'][key], decom_state[key]), key
    _, teacher = _publish(
        'tools/publish_model.py', root,
        'work_dirs/restorect-teacher_demo/iter_1.pth',
        'work_dirs/restorect-teacher_demo/restorect-teacher_demo.pth')

    # stage 2, both phases: the frozen teacher is the published one
    log = _log(run_tool([osp.join(ROOT, 'tools/train.py'),
                         osp.join(ROOT, STUDENT_DEMO), '--cfg-options',
                         *demo_options(demo_pairs, max_iters=2,
                                       val_interval=2),
                         'model.encoder_iters=1'], cwd=root))
    assert 'phase: 1.0000' in log and 'phase: 2.0000' in log, log[-3000:]
    distilled = torch.load(root / 'work_dirs/restorect-student_demo/iter_2.pth',
                           weights_only=True)['state_dict']
    teacher_state = torch.load(teacher, weights_only=True)['state_dict']
    generator = [k for k in teacher_state if k.startswith('generator.')]
    assert generator
    for key in generator:
        assert torch.equal(distilled[f'teacher_{key}'], teacher_state[key])

    # the standalone student, evaluated from its stable name
    _publish(
        'tools/model_converters/extract_student.py', root,
        'work_dirs/restorect-student_demo/iter_2.pth',
        'work_dirs/restorect-student_demo/restorect-student_demo.pth')
    run_tool([osp.join(ROOT, 'tools/test.py'), osp.join(ROOT, INFERENCE_DEMO),
              'work_dirs/restorect-student_demo/restorect-student_demo.pth',
              '--out', 'metrics.json', '--cfg-options',
              f'test_dataloader.dataset.data_root={demo_pairs}'], cwd=root)
    metrics = json.loads((root / 'metrics.json').read_text())
    assert set(metrics) == {'PSNR', 'SSIM'}
    assert all(isinstance(v, float) and v == v for v in metrics.values())
