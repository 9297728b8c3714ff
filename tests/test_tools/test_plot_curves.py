"""tools/analysis_tools/plot_curves.py on a fake MMEngine scalar log."""
import json
import os

import cv2
import pytest

from tests.test_tools.tool_runner import load_tool

plot_curves = load_tool('tools/analysis_tools/plot_curves.py')


def write_scalars(work_dir, records, stamp='20260101_000000'):
    vis = work_dir / stamp / 'vis_data'
    os.makedirs(vis)
    with open(vis / 'scalars.json', 'w') as f:
        for record in records:
            f.write(json.dumps(record) + '\n')


def fake_run():
    records = []
    for it in (10, 20):
        records.append(dict(lr=1e-3, loss=1. / it, loss_pix=0.5 / it,
                            loss_hvi=0.1 / it, hvi_k=1. + it / 100,
                            texture_scale=0.1, time=0.5, iter=it, step=it))
        records.append(dict(PSNR=15. + it / 10, SSIM=0.5, step=0))
    return records


def test_reads_losses_diagnostics_and_val_psnr(tmp_path):
    work_dir = tmp_path / 'stage1_teacher'
    write_scalars(work_dir, fake_run())
    curves = plot_curves.read_curves(plot_curves.find_scalars(str(work_dir)))
    assert set(curves) == {'loss', 'loss_pix', 'loss_hvi', 'hvi_k',
                           'texture_scale', 'val PSNR'}
    assert curves['val PSNR'] == ([10, 20], [16., 17.])
    assert curves['hvi_k'] == ([10, 20], [1.1, 1.2])


def test_writes_one_png_per_stage(tmp_path):
    for stage in ('stage0_decom', 'stage1_teacher'):
        write_scalars(tmp_path / stage, fake_run())
    out = tmp_path / 'figures'
    paths = plot_curves.main([str(tmp_path / 'stage0_decom'),
                              str(tmp_path / 'stage1_teacher'),
                              '--out', str(out)])
    assert sorted(os.listdir(out)) == ['curves_stage0_decom.png',
                                       'curves_stage1_teacher.png']
    image = cv2.imread(paths[0])
    # 6 series -> a 2 x 3 grid of 4 x 2.8 inch subplots at 80 dpi
    assert image.shape == (448, 960, 3)


def test_skips_a_test_runs_log_and_fails_without_training_records(tmp_path):
    work_dir = tmp_path / 'stage0'
    write_scalars(work_dir, fake_run(), stamp='20260101_000000')
    write_scalars(work_dir, [dict(PSNR=20., step=0)], stamp='20260102_000000')
    assert '20260101_000000' in plot_curves.find_scalars(str(work_dir))
    with pytest.raises(SystemExit, match='no .*scalars.json'):
        plot_curves.main([str(tmp_path / 'empty')])
