"""Turn a training checkpoint into a weights-only file that anyone can load with
``torch.load(weights_only=True)``, named ``<out stem>-<sha256[:8]>.pth``.

    python tools/publish_model.py work_dirs/x/iter_1000.pth restorect-decom.pth

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

from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               read_training_checkpoint,
                                               save_weights, select_weights)
from restorect_mm.version import __version__


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint (iter_*.pth)')
    parser.add_argument('out', help='output file; the hash is appended')
    parser.add_argument(
        '--weights',
        choices=['ema', 'raw'],
        default='ema',
        help='ema: the checkpoint\'s state_dict (EMA weights when EMAHook '
        'ran); raw: the non-averaged weights from ema_state_dict')
    return parser.parse_args(argv)


def publish(checkpoint_path, out, which='ema'):
    """Write the weights-only file; returns its final path."""
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
    return save_weights(state, meta, out)


def main(argv=None):
    args = parse_args(argv)
    try:
        final = publish(args.checkpoint, args.out, args.weights)
    except CheckpointError as exc:
        sys.exit(f'error: {exc}')
    print(final)


if __name__ == '__main__':
    main()
