"""tools/analysis_tools/restore_teacher.py: a (random) tiny demo teacher
restores paired images in-process."""
import os

import cv2
import pytest
import torch

from tests.test_tools.tool_runner import load_tool, make_pairs

tool = load_tool('tools/analysis_tools/restore_teacher.py')
CONFIG = 'configs/demo/restorect-teacher_demo.py'


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """A published-style weights file of the demo teacher, random init."""
    from restorect_mm.apis.restorer import build_model
    model = build_model(CONFIG, None, torch.device('cpu'), cfg_options={
        'model.decom_weights': None,
        'model.allow_untrained_decom': True
    })
    path = str(tmp_path_factory.mktemp('teacher') / 'teacher.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def test_restores_every_pair(tmp_path, weights):
    root = make_pairs(str(tmp_path / 'data'), n_train=0, n_test=2, size=36)
    out = tmp_path / 'restored'
    written = tool.main([CONFIG, weights, f'{root}/test/low',
                         f'{root}/test/high', '-o', str(out)])
    assert sorted(os.listdir(out)) == ['00000.png', '00001.png']
    assert written == [str(out / '00000.png'), str(out / '00001.png')]
    # 36 px is no multiple of 8: padded for the model, cropped back
    assert cv2.imread(written[0]).shape == (36, 36, 3)


def test_missing_ground_truth_is_named(tmp_path, weights):
    root = make_pairs(str(tmp_path / 'data'), n_train=0, n_test=2, size=16)
    os.remove(f'{root}/test/high/00001.png')
    with pytest.raises(SystemExit, match=r'no ground truth .*high/00001\.png'):
        tool.main([CONFIG, weights, f'{root}/test/low', f'{root}/test/high',
                   '-o', str(tmp_path / 'restored')])
    assert not (tmp_path / 'restored').exists()
