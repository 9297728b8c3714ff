"""prior_ablation.py swaps generators and priors between the teacher and the
student of a stage-2 checkpoint and scores each pairing."""
import math
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from restorect_mm.registry import MODELS
from tests.test_tools.tool_runner import load_tool, make_pairs

STUDENT = 'configs/demo/restorect-student_demo.py'


@pytest.fixture(scope='module')
def stage2(tmp_path_factory):
    """A demo distiller checkpoint (random teacher) and two 48 px test
    pairs."""
    tmp = tmp_path_factory.mktemp('ablation')
    init_default_scope('mmagic')  # module fixtures run before conftest's
    cfg = Config.fromfile(STUDENT)
    cfg.model.teacher_weights = None
    cfg.model.allow_untrained_teacher = True
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    path = str(tmp / 'iter_1.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    data = make_pairs(str(tmp / 'pairs'), n_train=0, n_test=2, size=48)
    return model, path, osp.join(data, 'test')


def run(stage2, tmp_path, extra=()):
    _, path, test = stage2
    tool = load_tool('tools/analysis_tools/prior_ablation.py')
    out = str(tmp_path / 'ablation.json')
    results = tool.main([STUDENT, path, osp.join(test, 'low'),
                         osp.join(test, 'high'), '--out-json', out,
                         *extra])
    return tool, results, out


def test_every_pairing_is_scored_and_the_teacher_row_is_its_restore(
        stage2, tmp_path, capsys):
    model, _, test = stage2
    tool, results, out = run(stage2, tmp_path)
    assert set(results) == {*tool.PAIRINGS, 'priors'}
    assert osp.isfile(out)
    printed = capsys.readouterr().out
    assert all(pairing in printed for pairing in tool.PAIRINGS)
    for pairing in tool.PAIRINGS:
        row = results[pairing]
        assert math.isfinite(row['psnr']) and 0 <= row['speckle'] <= 100
        assert row['min'] <= row['max']
    # the teacher row is what the teacher restores (stage 1's test path)
    psnrs = []
    for name in sorted(os.listdir(osp.join(test, 'low'))):
        lq = tool.read_rgb(osp.join(test, 'low', name))
        gt = tool.read_rgb(osp.join(test, 'high', name))
        z_rex, z_img, _, _ = model.eval().teacher_priors(lq, gt)
        with torch.no_grad():
            out = model.teacher_generator(lq, z_rex, z_img).clamp(0, 1)
        psnrs.append(float(-10 * torch.log10(((out - gt)**2).mean())))
    assert results['teacher G + GT priors']['psnr'] == pytest.approx(
        sum(psnrs) / len(psnrs), abs=0.01)
    for key in ('cos_rex', 'cos_img'):
        assert -1 <= results['priors'][key] <= 1


def test_the_same_generator_gives_the_same_rows(stage2, tmp_path):
    """With the student G set to the teacher's, swapping the generator must
    change nothing: the rows pair up exactly."""
    model, _, test = stage2
    model.generator.load_state_dict(model.teacher_generator.state_dict(),
                                    strict=False)
    path = str(tmp_path / 'same_g.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    _, results, _ = run((model, path, test), tmp_path)
    for teacher_row, student_row in (
            ('teacher G + GT priors', 'student G + GT priors'),
            ('teacher G + sampled priors', 'student G + sampled priors')):
        assert results[student_row] == pytest.approx(results[teacher_row])
    assert (results['teacher G + zero priors']['psnr'] !=
            results['teacher G + GT priors']['psnr'])


def test_a_missing_ground_truth_is_named(stage2, tmp_path):
    _, path, test = stage2
    low = tmp_path / 'low'
    low.mkdir()
    (low / 'extra.png').write_bytes(
        open(osp.join(test, 'low', '00000.png'), 'rb').read())
    tool = load_tool('tools/analysis_tools/prior_ablation.py')
    with pytest.raises(SystemExit) as exit_:
        tool.main([STUDENT, path, str(low), osp.join(test, 'high')])
    assert 'extra.png' in str(exit_.value.code)
