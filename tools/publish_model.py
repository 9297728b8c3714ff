"""Turn a training checkpoint into a weights-only file that anyone can load with
``torch.load(weights_only=True)``, named ``<out stem>-<sha256[:8]>.pth``.

    python tools/publish_model.py work_dirs/x/iter_1000.pth restorect-decom.pth

By default the published weights are what the checkpoint's ``state_dict`` holds:
MMEngine's EMAHook stores its averaged weights there (``--weights ema``).
``--weights raw`` publishes the non-averaged ones (``ema_state_dict``).
``--trust`` allows full unpickling of an old checkpoint of your own that the
safe loader refuses; never use it on files from elsewhere.
"""
import argparse
import os.path as osp
import sys

import restorect_mm  # noqa: F401
import torch

from restorect_mm.engine.checkpoint_io import (CheckpointError,
                                               load_checkpoint_file,
                                               save_weights,
                                               trust_checkpoints_under)
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
    parser.add_argument(
        '--trust',
        action='store_true',
        help='allow full unpickling of this (own) checkpoint')
    return parser.parse_args(argv)


def select_weights(checkpoint, which, source):
    """Pick the state dict to publish from a training checkpoint.

    Returns:
        dict[str, Tensor]: parameter and buffer tensors only.
    """
    if 'state_dict' not in checkpoint:
        if all(torch.is_tensor(v) for v in checkpoint.values()):
            return dict(checkpoint)  # already a plain state dict
        raise CheckpointError(f'{source} holds no state_dict: it is not an '
                              'MMEngine checkpoint')
    if which == 'ema':
        state = checkpoint['state_dict']
    else:
        if 'ema_state_dict' not in checkpoint:
            raise CheckpointError(
                f'{source} has no ema_state_dict (EMAHook did not run), so '
                'its state_dict already holds the raw weights: use '
                '--weights ema')
        # EMAHook saves the averaged model's state ('module.' prefix, a
        # 'steps' counter) after swapping it with the raw weights
        state = {
            k[len('module.'):]: v
            for k, v in checkpoint['ema_state_dict'].items()
            if k.startswith('module.')
        }
    return {k: v for k, v in state.items() if torch.is_tensor(v)}


def read_training_checkpoint(checkpoint_path, trust=False):
    """Load a training checkpoint; ``trust`` allows full unpickling of it."""
    if trust:
        with trust_checkpoints_under(osp.dirname(osp.abspath(checkpoint_path))):
            return load_checkpoint_file(checkpoint_path)
    return load_checkpoint_file(checkpoint_path)


def publish(checkpoint_path, out, which='ema', trust=False):
    """Write the weights-only file; returns its final path."""
    checkpoint = read_training_checkpoint(checkpoint_path, trust)
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
        final = publish(args.checkpoint, args.out, args.weights, args.trust)
    except CheckpointError as exc:
        sys.exit(f'error: {exc}')
    print(final)


if __name__ == '__main__':
    main()
