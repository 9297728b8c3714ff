"""CheckpointSafetyHook's resume rules, on a stand-in runner: the newest
complete checkpoint for a plain --resume, clear errors for an unreadable
named file and for a weights-only file, removal of interrupted writes."""
from types import SimpleNamespace

import pytest
import torch

from restorect_mm.engine.checkpoint_io import CheckpointError
from restorect_mm.engine.hooks import CheckpointSafetyHook


def _runner(work_dir, load_from=None, resume=True):
    return SimpleNamespace(work_dir=str(work_dir), _load_from=load_from,
                           _resume=resume)


def _checkpoint(path, torn=False):
    torch.save({'meta': {'iter': 1}, 'message_hub': {},
                'state_dict': {'w': torch.arange(3000.)}}, path)
    if torn:
        path.write_bytes(path.read_bytes()[:path.stat().st_size // 3])
    return path


def test_plain_resume_skips_a_torn_latest(tmp_path):
    _checkpoint(tmp_path / 'iter_2.pth')
    _checkpoint(tmp_path / 'iter_4.pth')
    _checkpoint(tmp_path / 'iter_6.pth', torn=True)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    runner = _runner(tmp_path)
    CheckpointSafetyHook().before_run(runner)
    assert runner._load_from == str(tmp_path / 'iter_4.pth')


def test_plain_resume_keeps_a_complete_latest(tmp_path):
    _checkpoint(tmp_path / 'iter_2.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    runner = _runner(tmp_path)
    CheckpointSafetyHook().before_run(runner)
    assert runner._load_from is None  # MMEngine reads last_checkpoint


def test_nothing_complete_to_resume_is_an_error(tmp_path):
    _checkpoint(tmp_path / 'iter_2.pth', torn=True)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    with pytest.raises(CheckpointError, match='iter_2.pth.*without --resume'):
        CheckpointSafetyHook().before_run(_runner(tmp_path))


def test_a_named_unreadable_file_points_to_the_newest_complete_one(tmp_path):
    _checkpoint(tmp_path / 'iter_2.pth')
    torn = _checkpoint(tmp_path / 'iter_4.pth', torn=True)
    with pytest.raises(CheckpointError) as err:
        CheckpointSafetyHook().before_run(_runner(tmp_path, load_from=str(torn)))
    assert str(torn) in str(err.value)
    assert f'--resume {tmp_path / "iter_2.pth"}' in str(err.value)


def test_interrupted_writes_are_removed_when_resuming(tmp_path):
    _checkpoint(tmp_path / 'iter_2.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    leftover = tmp_path / '.iter_4.pth.abc123.tmp'
    leftover.write_bytes(b'partial')
    keep = tmp_path / 'notes.tmp'
    keep.write_bytes(b'the user\'s')
    CheckpointSafetyHook().before_run(_runner(tmp_path))
    assert not leftover.exists() and keep.exists()


def test_resuming_from_a_weights_file_says_what_to_do(tmp_path):
    runner = _runner(tmp_path, load_from='published-1a2b3c4d.pth')
    with pytest.raises(CheckpointError,
                       match='published-1a2b3c4d.pth.*load_from='):
        CheckpointSafetyHook().after_load_checkpoint(
            runner, {'state_dict': {}, 'meta': {'sha256': 'x'}})
