"""tools/analysis_tools/benchmark.py end to end at --size tiny: every model
row, parseable numbers, the plot, parameter counts of the built models, and
PSNR for a row given a checkpoint."""
import math

import torch

from tests.test_tools.tool_runner import load_tool, make_pairs, run_tool

SHAPES = [('32', '32'), ('48', '64')]  # (H, W): 32x32 and 64x48 (W x H)


def load_benchmark_module():
    return load_tool('tools/analysis_tools/benchmark.py')


def parse_table(text):
    """Markdown table -> (header, {key: cells})."""
    lines = [ln for ln in text.splitlines() if ln.startswith('|')]
    split = [[c.strip() for c in ln.strip('|').split('|')] for ln in lines]
    header, rows = split[0], split[2:]
    return header, {row[0]: dict(zip(header, row)) for row in rows}


def test_benchmark_tiny_end_to_end(tmp_path):
    bench = load_benchmark_module()
    from mmengine.registry import init_default_scope
    from restorect_mm.utils.inference_benchmark import (build_model,
                                                        count_params)
    init_default_scope('mmagic')
    rows = bench.model_rows('tiny')
    # a checkpoint for the NAFNet student: weights of its own inference model
    nafnet_row = next(r for r in rows if r['key'] == 'nafnet-student')
    nafnet = build_model(bench.row_config(nafnet_row))
    ckpt = tmp_path / 'nafnet.pth'
    torch.save(nafnet.state_dict(), ckpt)
    make_pairs(str(tmp_path / 'data'), n_train=0, n_test=2, size=32)

    md, png = tmp_path / 'bench.md', tmp_path / 'bench.png'
    args = ['tools/analysis_tools/benchmark.py', '--size', 'tiny',
            '--warmup', '1', '--repeats', '1', '--threads', '1',
            '--out-md', str(md), '--out-png', str(png),
            '--test-set', str(tmp_path / 'data' / 'test' / 'low'),
            str(tmp_path / 'data' / 'test' / 'high'),
            '--checkpoints', f'nafnet-student={ckpt}']
    for h, w in SHAPES:
        args += ['--shape', h, w]
    run_tool(args, timeout=900)

    assert png.is_file() and png.stat().st_size > 1000
    header, table = parse_table(md.read_text())
    assert set(table) == {r['key'] for r in rows}
    for name in ('32x32', '64x48'):
        assert f'GMAC {name}' in header and f'latency ms {name}' in header
    for row in rows:
        cells = table[row['key']]
        for column in header[3:-2]:  # GMAC, latency, memory per size
            value = float(cells[column])
            assert math.isfinite(value) and value >= 0, (row['key'], column)
        assert float(cells['latency ms 64x48']) > 0
        expected = count_params(build_model(bench.row_config(row)))
        assert cells['params (M)'] == f'{expected / 1e6:.3f}', row['key']
    # a larger input costs more multiply-accumulates
    assert float(table['teacher']['GMAC 64x48']) > float(
        table['teacher']['GMAC 32x32'])
    # quality only where a checkpoint was given
    assert 0 < float(table['nafnet-student']['PSNR']) < 100
    assert 0 < float(table['nafnet-student']['SSIM']) <= 1
    assert table['teacher']['PSNR'] == ''


def test_checkpoint_key_serves_every_student_step_count():
    bench = load_benchmark_module()
    checkpoints = {'student': 's.pth', 'compact': 'c.pth'}
    assert bench.checkpoint_for('student-n8', checkpoints) == 's.pth'
    assert bench.checkpoint_for('compact', checkpoints) == 'c.pth'
    assert bench.checkpoint_for('teacher', checkpoints) is None
