"""tools/analysis_tools/gpu_check.sh: the --device cpu --tiny check runs
every stage clean (the full-size GPU check is the same code on other
configs), and the full-size options fit the full configs."""
import argparse
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from tests.test_tools.tool_runner import ROOT, load_tool


def load_check():
    return load_tool('tools/analysis_tools/gpu_check.py')


# its outcome is the check's own plumbing: every stage it runs is tested on
# every stack elsewhere, so CI runs it once (on the pinned stack)
@pytest.mark.stack_independent
def test_tiny_cpu_check_runs_every_stage_clean(tmp_path):
    out = tmp_path / 'table.md'
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1',
               PYTHONUNBUFFERED='1')
    proc = subprocess.run(
        ['bash', 'tools/analysis_tools/gpu_check.sh', '--device', 'cpu',
         '--tiny', '--work-dir', str(tmp_path / 'work'), '--out', str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    table = out.read_text()
    assert table in proc.stdout  # the same table on stdout and in the file
    rows = [line.split('|')[1:-1] for line in table.splitlines()
            if line.startswith('| ') and not line.startswith('| stage')]
    stages = [cells[0].strip() for cells in rows]
    assert stages.count('fwd-bwd') == 12  # 4 models x fp32, fp16, bf16
    for stage in ('train', 'resume', 'restore', 'benchmark'):
        assert stage in stages
    assert 'FAILED' not in table and 'NaN/Inf**' not in table
    assert 'phases [1, 2]' in table  # the 6-iteration run switches phase


def test_full_size_options_fit_the_full_configs(tmp_path):
    from restorect_mm.utils.cli import add_common_args, load_config
    check = load_check()
    setup = check.SETUPS['full']
    parser = argparse.ArgumentParser()  # tools/train.py's arguments
    parser.add_argument('config')
    add_common_args(parser)
    cfg = load_config(parser.parse_args([
        osp.join(ROOT, setup['student']), '--work-dir', str(tmp_path),
        '--cfg-options', *check.train_options('/data', setup, False, 30)]))
    assert cfg.model.teacher_weights is None
    assert cfg.model.allow_untrained_teacher is True
    assert cfg.model.encoder_iters == 15 and cfg.train_cfg.max_iters == 30
    assert cfg.train_dataloader.dataset.data_prefix.img == 'train/low'
    assert cfg.val_dataloader.dataset.data_root == '/data'
    assert any(h['type'] == 'EMAHook' for h in cfg.custom_hooks)
    for name in ('decomposer', 'teacher', 'student'):
        amp = check.amp_config(Config.fromfile(osp.join(ROOT, setup[name])),
                               'float16')
        optim = amp.optim_wrapper
        wrappers = [optim] if 'type' in optim else [
            v for v in optim.values() if isinstance(v, dict)]
        assert wrappers and all(w.type == 'AmpOptimWrapper' and
                                w.dtype == 'float16' for w in wrappers)
    bench = check.load_tool('tools/analysis_tools/benchmark.py', 'bench')
    keys = {r['key'] for r in bench.model_rows('full')}
    models = setup['bench'][setup['bench'].index('--models') + 1:]
    assert set(models) <= keys
