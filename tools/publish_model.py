"""Turn a training checkpoint into a weights-only file that anyone can load with
``torch.load(weights_only=True)``, named ``<out stem>-<sha256[:8]>.pth``, and
a copy of it under the stable name ``<out stem>.pth``.

    python tools/publish_model.py work_dirs/restorect_decom/best_*.pth \\
        work_dirs/restorect_decom/restorect-decom.pth

The hashed file is the one to share (its name checks its content). The stable
name is what the next stage's config reads by default
(``work_dirs/restorect_decom/restorect-decom.pth`` for the teacher,
``work_dirs/restorect_teacher/restorect-teacher.pth`` for the student): each
publish replaces it. It is a copy, written atomically (a temporary file, fsync,
one rename), not a symlink: symlinks need privileges on Windows, are not
supported by every file system (FAT/exFAT, some network shares) and break when
a work_dir is copied, archived or synced; a copy loads the same everywhere,
and a crash mid-publish leaves the previous stable file, never a truncated one.
``out`` may not name the input checkpoint (refused: it is never overwritten).
The stable path is printed first, then the hashed file's path alone on the
last line (what scripts read).

By default the published weights are what the checkpoint's ``state_dict`` holds:
MMEngine's EMAHook stores its averaged weights there (``--weights ema``).
``--weights raw`` publishes the non-averaged ones (``ema_state_dict``).
The checkpoint is read weights-only like every file (see
restorect_mm.engine.checkpoint_io): there is no way to unpickle more.
"""
import argparse
import os.path as osp
import sys

import restorect_mm  # noqa: F401

from restorect_mm.engine.atomic_local_backend import write_atomically
from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               read_training_checkpoint,
                                               save_weights, select_weights)
from restorect_mm.version import __version__


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint (iter_*.pth)')
    parser.add_argument(
        'out', help='output file: the hash is appended for the file to share, '
        'and <out stem>.pth is replaced by a copy (the stable name)')
    parser.add_argument(
        '--weights',
        choices=['ema', 'raw'],
        default='ema',
        help='ema: the checkpoint\'s state_dict (EMA weights when EMAHook '
        'ran); raw: the non-averaged weights from ema_state_dict')
    return parser.parse_args(argv)


def stable_path(out):
    """The stable name for ``out``: ``<out stem>.pth``."""
    return osp.splitext(str(out))[0] + '.pth'


def _same_file(a, b):
    if osp.realpath(a) == osp.realpath(b):
        return True
    try:
        return osp.samefile(a, b)  # hard links too
    except OSError:
        return False


def check_out(checkpoint_path, out):
    """Refuse an ``out`` whose stable name is the input checkpoint."""
    stable = stable_path(out)
    if _same_file(stable, checkpoint_path):
        raise CheckpointError(
            f'{out} would overwrite the input checkpoint {checkpoint_path} '
            f'(its stable name {stable} is that file): choose another output '
            'name, e.g. work_dirs/<config>/<model>.pth.')
    return stable


def save_published(state, meta, out, checkpoint_path):
    """Write ``<out stem>-<hash>.pth`` and its copy ``<out stem>.pth``.

    Returns:
        tuple[str, str]: the hashed file and the stable name.
    """
    stable = check_out(checkpoint_path, out)
    final = save_weights(state, meta, out)
    with open(final, 'rb') as f:
        write_atomically(stable, f.read())
    return final, stable


def print_published(final, stable):
    """The stable name, then the hashed file alone on the last line."""
    print(f'stable name (read by the next stage; replaced on each publish): '
          f'{stable}')
    print(final)


def publish(checkpoint_path, out, which='ema'):
    """Write the weights-only file and its stable copy.

    Returns:
        tuple[str, str]: the hashed file (to share) and the stable name.
    """
    check_out(checkpoint_path, out)
    checkpoint = read_training_checkpoint(checkpoint_path)
    state = select_weights(checkpoint, which, checkpoint_path)
    meta = {
        'source': osp.basename(checkpoint_path),
        'weights': which,
        'restorect_mm_version': __version__,
    }
    old_meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    for key in ('iter', 'epoch', 'cfg', 'experiment_name'):
        if key in old_meta and isinstance(old_meta[key], (int, str)):
            meta[key] = old_meta[key]
    return save_published(state, meta, out, checkpoint_path)


def main(argv=None):
    args = parse_args(argv)
    try:
        final, stable = publish(args.checkpoint, args.out, args.weights)
    except CheckpointError as exc:
        sys.exit(f'error: {exc}')
    print_published(final, stable)


if __name__ == '__main__':
    main()
