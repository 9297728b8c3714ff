"""Helpers for tests that run the real command-line tools in subprocesses."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMAGIC_TOOLS = None


def mmagic_tool(name):
    """Path of MMagic's own, unmodified tool shipped inside its wheel."""
    import mmagic
    return osp.join(osp.dirname(mmagic.__file__), '.mim', 'tools', name)


def run_tool(args, env=None, timeout=600, check=True):
    """Run ``python ARGS`` from the repository root; returns CompletedProcess."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n'
            f'{proc.stderr[-5000:]}')
    return proc


def make_pairs(root, n_train=4, n_test=2, size=64, seed=0):
    """Write a tiny LOL-layout dataset: train|test / low|high, PNG."""
    rng = np.random.default_rng(seed)
    for split, count in (('train', n_train), ('test', n_test)):
        for sub in ('low', 'high'):
            os.makedirs(osp.join(root, split, sub), exist_ok=True)
        for i in range(count):
            base = cv2.GaussianBlur(
                rng.integers(0, 256, (size, size, 3), dtype=np.uint8), (5, 5),
                0)
            low = (base.astype(np.float32) * 0.25).astype(np.uint8)
            cv2.imwrite(osp.join(root, split, 'high', f'{i:05d}.png'), base)
            cv2.imwrite(osp.join(root, split, 'low', f'{i:05d}.png'), low)
    return root


def demo_options(data_root, max_iters=4, val_interval=2, crop=32, batch=2):
    """--cfg-options that point a demo config at ``data_root``, tiny."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        f'train_dataloader.batch_size={batch}',
        f'train_dataloader.dataset.pipeline.3.gt_patch_size={crop}',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={val_interval}',
        f'default_hooks.checkpoint.interval={val_interval}',
        'default_hooks.logger.interval=1',
    ]
