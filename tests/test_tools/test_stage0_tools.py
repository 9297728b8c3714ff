"""Stage 0 through the standard tools: MMagic's unmodified train.py/test.py,
ours, --resume, --out, dist_train.sh with two CPU ranks, and the errors."""
import glob
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import pytest
import torch

from tests.test_tools.tool_runner import (ROOT, assert_ranks_identical_and_trained,
                                         demo_options, dist_train_rank_weights,
                                         free_port, mmagic_tool, run_tool)

DEMO = 'configs/demo/restorect-decom_demo.py'


@pytest.fixture(scope='module')
def data_root(demo_pairs):
    return demo_pairs


@pytest.fixture(scope='module')
def trained(stage0_run):
    """4 iterations with MMagic's own, unmodified tools/train.py: the first
    stage of test_stage_chain.py (tests/test_tools/conftest.py)."""
    _, work_dir, log = stage0_run
    return work_dir, log


def _val_metrics(log, iteration):
    """Metrics printed by the val loop after ``iteration`` in a train log."""
    lines = [ln for ln in log.splitlines() if 'Iter(val)' in ln and
             'recon_gt_PSNR' in ln]
    assert lines, log[-3000:]
    found = dict(re.findall(r'(\w+): (-?[\d.]+)', lines[-1]))
    return {k: float(v) for k, v in found.items()}


def test_mmagic_train_tool_trains_and_validates(trained):
    work_dir, log = trained
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    assert glob.glob(osp.join(work_dir, 'best_recon_gt_PSNR_iter_*.pth'))
    metrics = _val_metrics(log, 4)
    assert 'recon_lq_PSNR' in metrics and 'PSNR' in metrics


def test_training_checkpoint_loads_weights_only(trained):
    work_dir, _ = trained
    ckpt = torch.load(osp.join(work_dir, 'iter_4.pth'), weights_only=True)
    assert ckpt['meta']['iter'] == 4
    assert any(k.startswith('decom_low.') for k in ckpt['state_dict'])


@pytest.mark.parametrize('tool', ['mmagic', 'ours'])
def test_test_tool_reproduces_the_validation_metrics(trained, data_root,
                                                     tmp_path, tool):
    work_dir, log = trained
    out = tmp_path / 'metrics.json'
    script = mmagic_tool('test.py') if tool == 'mmagic' else 'tools/test.py'
    run_tool([
        script, DEMO,
        osp.join(work_dir, 'iter_4.pth'), '--work-dir',
        str(tmp_path), '--out',
        str(out), '--cfg-options', *demo_options(data_root)
    ])
    metrics = json.loads(out.read_text())
    assert all(isinstance(v, float) for v in metrics.values())
    validated = _val_metrics(log, 4)
    for key in ('recon_gt_PSNR', 'recon_lq_PSNR', 'PSNR', 'SSIM'):
        assert metrics[key] == pytest.approx(validated[key], abs=1e-3)


def test_resume_continues_from_the_last_iteration(trained, data_root,
                                                  tmp_path):
    work_dir, _ = trained
    # a copy of the work_dir, resumed to 6 iterations
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    for name in ('iter_4.pth', 'last_checkpoint'):
        text = open(osp.join(work_dir, name), 'rb').read()
        if name == 'last_checkpoint':
            text = str(resumed / 'iter_4.pth').encode()
        (resumed / name).write_bytes(text)
    proc = run_tool([
        'tools/train.py', DEMO, '--work-dir',
        str(resumed), '--resume', '--cfg-options',
        *demo_options(data_root, max_iters=6)
    ])
    log = proc.stdout + proc.stderr
    assert 'resumed' in log.lower() and 'iter_4.pth' in log
    assert re.search(r'Iter\(train\) \[5/6\]', log), log[-3000:]
    assert not re.search(r'Iter\(train\) \[1/6\]', log)
    assert (resumed / 'iter_6.pth').is_file()


def test_missing_data_root_is_a_clear_error(tmp_path):
    missing = tmp_path / 'nowhere'
    proc = run_tool(['tools/train.py', DEMO, '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options',
                     *demo_options(str(missing))], check=False)
    assert proc.returncode != 0
    assert str(missing) in proc.stderr
    assert 'synthesize_lowlight' in proc.stderr or 'data_root' in proc.stderr


def test_wrong_architecture_checkpoint_is_a_clear_error(data_root, tmp_path):
    wrong = tmp_path / 'wrong.pth'
    torch.save({'state_dict': {'decom_low.net.0.weight': torch.zeros(1)}},
               wrong)
    proc = run_tool(['tools/test.py', DEMO, str(wrong), '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options',
                     *demo_options(data_root)], check=False)
    assert proc.returncode != 0
    assert 'wrong.pth' in proc.stderr and 'does not fit' in proc.stderr


def test_missing_checkpoint_is_a_clear_error(data_root, tmp_path):
    proc = run_tool(['tools/test.py', DEMO, str(tmp_path / 'none.pth')],
                    check=False)
    assert proc.returncode != 0
    assert 'none.pth' in proc.stderr and 'not found' in proc.stderr


def test_dist_train_two_cpu_ranks_end_with_identical_weights(data_root,
                                                             tmp_path):
    """torchrun, 2 gloo ranks; each rank saves its own weights at the end."""
    initial, final = dist_train_rank_weights(DEMO, demo_options(data_root),
                                             tmp_path)
    assert_ranks_identical_and_trained(initial, final)


class _Exploit:
    def __reduce__(self):
        return (os.system, ('touch PWNED_BY_PICKLE',))


@pytest.mark.parametrize('tool', ['ours', 'mmagic'])
def test_resume_of_a_malicious_file_in_the_work_dir_is_refused(
        tool, data_root, tmp_path):
    """No directory is trusted: a checkpoint copied into the run's own
    work_dir and named by last_checkpoint is read weights-only too."""
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    torch.save({'state_dict': {}, 'meta': {}, 'x': _Exploit()},
               work_dir / 'iter_4.pth')
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'iter_4.pth'))
    script = 'tools/train.py' if tool == 'ours' else mmagic_tool('train.py')
    proc = run_tool([script, DEMO, '--work-dir', str(work_dir), '--resume',
                     '--cfg-options', *demo_options(data_root)], check=False,
                    env={'PWD': str(tmp_path)})
    assert proc.returncode != 0
    assert 'Refused to load' in proc.stderr and 'iter_4.pth' in proc.stderr
    assert not glob.glob('PWNED_BY_PICKLE') and not (
        tmp_path / 'PWNED_BY_PICKLE').exists()


def test_checkpoints_written_without_the_safety_hook_resume_and_test(
        data_root, tmp_path):
    """What MMagic's own models write (HistoryBuffer objects, numpy scalars
    in the message hub) loads weights-only for --resume and test.py."""
    work_dir = tmp_path / 'plain'
    options = [*demo_options(data_root), 'default_hooks.checkpoint_safety.type=EmptyCacheHook']
    run_tool([mmagic_tool('train.py'), DEMO, '--work-dir', str(work_dir),
              '--cfg-options', *options])
    raw = torch.load(work_dir / 'iter_4.pth', weights_only=False)
    assert any(type(v).__name__ == 'HistoryBuffer'
               for v in raw['message_hub']['log_scalars'].values())
    proc = run_tool(['tools/train.py', DEMO, '--work-dir', str(work_dir),
                     '--resume', '--cfg-options',
                     *demo_options(data_root, max_iters=6),
                     'default_hooks.checkpoint_safety.type=EmptyCacheHook'])
    assert re.search(r'Iter\(train\) \[5/6\]', proc.stdout + proc.stderr)
    for script in ('tools/test.py', mmagic_tool('test.py')):
        proc = run_tool([script, DEMO, str(work_dir / 'iter_6.pth'),
                         '--cfg-options', *demo_options(data_root)])
        assert 'recon_gt_PSNR' in proc.stdout + proc.stderr


def _children(pid):
    """pids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


@pytest.mark.stack_independent  # the kernel's process tree, not the stack
@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='the ranks follow their launcher through Linux '
                    'prctl(PR_SET_PDEATHSIG)')
def test_sigkill_of_the_launcher_takes_the_ranks_down(data_root, tmp_path):
    """kill -9 of tools/dist_train.sh mid-training ends both ranks within
    seconds instead of leaving them training as orphans."""
    log_file = tmp_path / 'log.txt'
    env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
               CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    with open(log_file, 'w') as log:
        launcher = subprocess.Popen(
            ['bash', 'tools/dist_train.sh', DEMO, '2', '--work-dir',
             str(tmp_path / 'work'), '--cfg-options',
             *demo_options(data_root, max_iters=100000, val_interval=100000)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    ranks = []
    try:
        deadline = time.time() + 240
        while 'Iter(train)' not in log_file.read_text():
            assert launcher.poll() is None, log_file.read_text()[-3000:]
            assert time.time() < deadline, 'training never started'
            time.sleep(0.5)
        ranks = _children(launcher.pid)
        assert len(ranks) == 2, ranks
        os.kill(launcher.pid, signal.SIGKILL)
        launcher.wait()
        deadline = time.time() + 15
        while any(_alive(pid) for pid in ranks) and time.time() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in ranks)
    finally:
        for pid in [launcher.pid, *_children(launcher.pid), *ranks]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.mark.parametrize('tool', ['ours', 'mmagic'])
def test_auto_scale_lr_scales_by_the_batch_over_64(tool, data_root,
                                                   tmp_path):
    """lr x (1 rank x batch 2) / 64: ours with --auto-scale-lr; MMagic's
    train.py parses that flag but never reads it, so there the config key
    is set (as the README says)."""
    from mmengine.config import Config
    options = demo_options(data_root, max_iters=2, batch=2)
    if tool == 'ours':
        args = ['tools/train.py', DEMO, '--auto-scale-lr']
    else:
        args = [mmagic_tool('train.py'), DEMO]
        options.append('auto_scale_lr.enable=True')
    proc = run_tool([*args, '--work-dir', str(tmp_path), '--cfg-options',
                     *options])
    assert 'Scaling the original LR by 0.03125' in proc.stdout + proc.stderr
    base_lr = Config.fromfile(DEMO).optim_wrapper.optimizer.lr
    ckpt = torch.load(tmp_path / 'iter_2.pth', weights_only=False)
    groups = ckpt['optimizer']['param_groups']
    assert groups[0]['initial_lr'] == pytest.approx(base_lr * 2 / 64)
