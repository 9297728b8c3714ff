"""tools/analysis_tools/contact_sheet.py on tiny synthetic images."""
import os

import cv2
import numpy as np
import pytest

from tests.test_tools.tool_runner import load_tool

sheet = load_tool('tools/analysis_tools/contact_sheet.py')


def write_folders(root, names=('a.png', 'b.png'), size=16):
    """GT folder plus input/output folders: the output is the GT with one
    red dot planted, the input a darkened GT."""
    rng = np.random.default_rng(0)
    dirs = {k: root / k for k in ('low', 'out', 'high')}
    for folder in dirs.values():
        os.makedirs(folder)
    for name in names:
        gt = np.full((size, size, 3), 128, np.uint8)
        gt[..., 0] = rng.integers(100, 140)
        out = gt.copy()
        out[5, 5] = (0, 0, 255)  # BGR red: one speckle of size**2 pixels
        cv2.imwrite(str(dirs['high'] / name), gt)
        cv2.imwrite(str(dirs['out'] / name), out)
        cv2.imwrite(str(dirs['low'] / name), gt // 4)
    return dirs


def test_sheet_has_one_panel_per_image_and_column(tmp_path):
    dirs = write_folders(tmp_path)
    out_file = str(tmp_path / 'sheet.png')
    sheet.main([str(dirs['high']), f'input={dirs["low"]}',
                f'restored={dirs["out"]}', '-o', out_file, '--dpi', '50'])
    image = cv2.imread(out_file)
    # 2 rows x 3 columns (input, restored, GT) of 2.6 x 2.9 inches at 50 dpi
    assert image.shape == (290, 390, 3)


def test_scores_are_psnr_and_speckle_per_panel(tmp_path):
    dirs = write_folders(tmp_path)
    rows = sheet.match_images(str(dirs['high']), dict(input=str(dirs['low']),
                                                      out=str(dirs['out'])))
    assert [r['name'] for r in rows] == ['a.png', 'b.png']
    scores = sheet.score_rows(rows, ['input', 'out'])
    for row in scores:
        assert row['gt'][0] == float('inf') and row['gt'][1] == 0.0
        assert row['out'][1] == pytest.approx(100 / 16**2)
        assert row['input'][1] == 0.0
        assert 0 < row['input'][0] < row['out'][0] < float('inf')
    means = sheet.mean_scores(scores)
    assert means['out'][1] == pytest.approx(100 / 16**2)


def test_titles_carry_both_figures():
    assert sheet.panel_title('student', 18.6712, 2.5) == (
        'student: 18.67 dB\nspeckle 2.50 %')
    assert sheet.panel_title('GT', float('inf'), 0.0).startswith(
        'GT: reference')


def test_missing_file_is_named(tmp_path):
    dirs = write_folders(tmp_path)
    os.remove(dirs['out'] / 'b.png')
    with pytest.raises(SystemExit, match=r'restored: .*out/b\.png is missing'):
        sheet.main([str(dirs['high']), f'input={dirs["low"]}',
                    f'restored={dirs["out"]}', '-o',
                    str(tmp_path / 'sheet.png')])
    assert not (tmp_path / 'sheet.png').exists()
