"""A checkpoint whose unpickling would run code is refused by every entry
point, and the refusal names the file and what to do. The marker file that
the code would create never appears.

restorect_mm's tools run in this process (``runpy``, as ``python tools/x.py``
would); MMagic's unmodified test.py runs in a subprocess, where only the
installed ``.pth`` hook can protect it (MMagic's train.py --resume: see
test_stage0_tools.py)."""
import os
import os.path as osp
import runpy
import shutil
import sys

import pytest
import torch

from tests.test_apis.tiny_student import INFERENCE_DEMO
from tests.test_tools.test_mmagic_models import NAFNET
from tests.test_tools.tool_runner import (ROOT, demo_options, make_pairs,
                                         mmagic_tool, run_tool)

DECOM = 'configs/demo/restorect-decom_demo.py'
TEACHER = 'configs/demo/restorect-teacher_demo.py'
STUDENT = 'configs/demo/restorect-student_demo.py'


class _Exploit:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.fixture(scope='module')
def evil(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('evil')
    data = make_pairs(str(tmp / 'pairs'), n_train=2, n_test=1, size=48)
    marker = tmp / 'PWNED'
    path = tmp / 'downloaded' / 'model.pth'
    path.parent.mkdir()
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': {},
                'message_hub': {}, 'x': _Exploit(marker)}, path)
    return tmp, data, marker, str(path)


def _entry_points(tmp, data, evil):
    train = ['tools/train.py', '--work-dir', str(tmp / 'work')]

    def opts(run):
        # a name of each run's own: MMEngine's logger and visualizer are
        # process-wide instances keyed by the experiment name, by default
        # the config's name and the second it started, so two runs in one
        # second would share the first one's (deleted) log dir
        return ['--cfg-options', *demo_options(data, max_iters=1),
                f'experiment_name=refusal-{run}']

    image = osp.join(data, 'test', 'low', '00000.png')
    return {
        'restore.py': ['tools/restore.py', INFERENCE_DEMO, evil, image, '-o',
                       str(tmp / 'restored')],
        'test.py': ['tools/test.py', INFERENCE_DEMO, evil, '--work-dir',
                    str(tmp / 'test'), '--cfg-options',
                    f'test_dataloader.dataset.data_root={data}'],
        'train.py --resume outside the work_dir': [
            *train[:1], DECOM, *train[1:], '--resume', evil,
            *opts('resume')],
        'train.py load_from': [*train[:1], DECOM, *train[1:],
                               *opts('load_from'), f'load_from={evil}'],
        'teacher_weights': [*train[:1], STUDENT, *train[1:],
                            *opts('teacher'), f'model.teacher_weights={evil}'],
        'decom_weights': [*train[:1], TEACHER, *train[1:], *opts('decom'),
                          f'model.decom_weights={evil}'],
        'publish_model.py': ['tools/publish_model.py', evil,
                             str(tmp / 'published.pth')],
        'extract_student.py': ['tools/model_converters/extract_student.py',
                               evil, str(tmp / 'student.pth')],
        'export_onnx.py': ['tools/deployment/export_onnx.py', INFERENCE_DEMO,
                           evil, str(tmp / 'model.onnx')],
    }


@pytest.mark.parametrize('entry', [
    'restore.py', 'test.py', 'train.py --resume outside the work_dir',
    'train.py load_from', 'teacher_weights', 'decom_weights',
    'publish_model.py', 'extract_student.py', 'export_onnx.py'])
def test_every_entry_point_refuses_code_in_a_checkpoint(
        evil, entry, monkeypatch, capsys):
    tmp, data, marker, path = evil
    argv = _entry_points(tmp, data, path)[entry]
    shutil.rmtree(tmp / 'work', ignore_errors=True)
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, 'argv', argv)
    with pytest.raises(BaseException) as failure:
        runpy.run_path(argv[0], run_name='__main__')
    captured = capsys.readouterr()
    message = ' '.join(f'{failure.value} {captured.out} {captured.err}'.split())
    assert not marker.exists()
    if isinstance(failure.value, SystemExit):
        assert failure.value.code not in (0, None)
    assert f'Refused to load {path}' in message
    assert 'do not load it' in message  # what to do


def test_mmagic_test_tool_refuses_it_through_the_pth_hook(evil):
    """MMagic's own config (no restorect_mm in it) and MMagic's test.py."""
    tmp, data, marker, path = evil
    proc = run_tool([mmagic_tool('test.py'), NAFNET, path, '--work-dir',
                     str(tmp / 'mmagic_test'), '--cfg-options',
                     f'test_dataloader.dataset.data_root={data}/test',
                     'test_dataloader.dataset.data_prefix.img=low',
                     'test_dataloader.dataset.data_prefix.gt=high',
                     'test_dataloader.num_workers=0'], check=False)
    assert proc.returncode != 0
    assert f'Refused to load {path}' in ' '.join(proc.stderr.split())
    assert not marker.exists()
