"""tools/publish_model.py and tools/model_converters/extract_student.py, in
process: the stable copy beside the hashed file, replaced on each publish,
what they print, and the refusal to overwrite the input checkpoint. The
tools as commands, in the stage chain: test_stage_chain.py."""
import os
import os.path as osp

import pytest
import torch

from restorect_mm.engine.checkpoint_io import CheckpointError
from tests.test_tools.tool_runner import load_tool




publish_model = load_tool('tools/publish_model.py')
extract_student = load_tool('tools/model_converters/extract_student.py')


def _checkpoint(path, value):
    torch.save({'state_dict': {'w': torch.full((2, ), float(value))},
                'meta': {'iter': value}}, path)
    return str(path)


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def test_each_publish_replaces_the_stable_copy(tmp_path, capsys):
    folder = tmp_path / 'published'
    out = str(folder / 'model.pth')
    publish_model.main([_checkpoint(tmp_path / 'a.pth', 1), out])
    first_lines = capsys.readouterr().out.splitlines()
    first = first_lines[-1]
    assert first_lines[-2].endswith(out)
    second, stable = publish_model.publish(
        _checkpoint(tmp_path / 'b.pth', 2), out)
    assert stable == out and second != first and osp.isfile(first)
    assert _read(stable) == _read(second) != _read(first)
    assert torch.load(stable, weights_only=True)['state_dict']['w'][0] == 2
    # the hashed files and the stable copy, no temporary file left
    assert sorted(os.listdir(folder)) == sorted(
        ['model.pth', osp.basename(first), osp.basename(second)])


@pytest.mark.parametrize('out', ['same', 'no suffix', 'dotted', 'symlink'])
def test_an_out_naming_the_input_checkpoint_is_refused(tmp_path, out):
    checkpoint = _checkpoint(tmp_path / 'model.pth', 1)
    before = _read(checkpoint)
    name = {
        'same': checkpoint,
        'no suffix': str(tmp_path / 'model'),
        'dotted': str(tmp_path / 'sub' / '..' / 'model.pth'),
        'symlink': str(tmp_path / 'link.pth'),
    }[out]
    if out == 'symlink':
        try:
            os.symlink(checkpoint, name)
        except (OSError, NotImplementedError):
            pytest.skip('no symlinks here')
    listing = sorted(os.listdir(tmp_path))
    with pytest.raises(CheckpointError, match='input checkpoint'):
        publish_model.publish(checkpoint, name)
    with pytest.raises(SystemExit, match='input checkpoint'):
        extract_student.main([checkpoint, name])
    assert _read(checkpoint) == before
    assert sorted(os.listdir(tmp_path)) == listing  # nothing written
