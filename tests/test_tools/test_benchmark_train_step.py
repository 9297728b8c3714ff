"""The training-step benchmark runs the configs' real train_step."""
import os.path as osp

import pytest

from tests.test_tools.tool_runner import ROOT, load_tool


def load_benchmark():
    return load_tool('tools/analysis_tools/benchmark_train_step.py')


@pytest.mark.parametrize('config,phase', [
    ('configs/demo/restorect-teacher_demo.py', 2),
    ('configs/demo/restorect-student_demo.py', 1),
    ('configs/demo/restorect-student_demo.py', 2),
])
def test_benchmark_reports_step_time(config, phase, tmp_path):
    tool = load_benchmark()
    figures = tool.main([
        osp.join(ROOT, config), '--iters', '1', '--warmup', '1', '--batch',
        '1', '--size', '32', '--phase', str(phase), '--device', 'cpu',
        '--out', str(tmp_path / 'figures.json')
    ])
    assert figures['median_step_s'] > 0
    assert figures['trainable_params'] > 0
    assert (tmp_path / 'figures.json').is_file()


def test_amp_needs_cuda():
    tool = load_benchmark()
    with pytest.raises(SystemExit, match='CUDA'):
        tool.main([osp.join(ROOT, 'configs/demo/restorect-teacher_demo.py'),
                   '--amp', '--device', 'cpu'])


def test_ema_figures_show_what_trainable_ema_saves():
    """The stage-2 model carries the frozen teacher and DecomNets: MMEngine's
    EMA copies them, TrainableEMA shares them."""
    tool = load_benchmark()
    args = [osp.join(ROOT, 'configs/demo/restorect-student_demo.py'),
            '--iters', '1', '--warmup', '0', '--batch', '1', '--size', '32',
            '--device', 'cpu', '--ema']
    full = tool.main(args + ['ExponentialMovingAverage'])
    trainable = tool.main(args + ['TrainableEMA'])
    assert full['median_ema_update_s'] > 0
    assert trainable['median_ema_update_s'] > 0
    # the trainable copy holds the trainable parameters (fp32), no more
    assert trainable['ema_extra_mib'] * 2**20 <= (
        trainable['trainable_params'] * 4 + 1)
    assert full['ema_extra_mib'] > 1.5 * trainable['ema_extra_mib']
