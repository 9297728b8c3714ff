"""Helpers for tests that run the real command-line tools in subprocesses."""
import importlib.util
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


def load_tool(path):
    """Import a tool script (``path`` relative to the repository root) as a
    module, to call its functions in-process."""
    name = 'tool_' + osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, osp.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(args, env=None, timeout=600, check=True, cwd=ROOT):
    """Run ``python ARGS`` from the repository root (or ``cwd``: then name
    tools and configs by absolute path); returns CompletedProcess."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *args], cwd=str(cwd), env=full_env,
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


def free_port():
    """A TCP port that is free now (runs may overlap, so never a fixed one)."""
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def dist_train_rank_weights(config, options, out_dir, nproc=2,
                            extra_hooks=(), timeout=600):
    """Train ``config`` with tools/dist_train.sh on ``nproc`` CPU (gloo) ranks
    and return every rank's weights before and after training.

    A config inheriting ``config`` replaces ``custom_hooks`` by
    ``extra_hooks`` (config-text dicts, e.g. "dict(type='EMAHook')") plus
    :class:`DumpRankWeightsHook`, which writes ``rank{r}_initial.pth`` and
    ``rank{r}.pth`` into ``out_dir``.

    Returns:
        tuple[list[dict], list[dict]]: initial and final state dicts, one per
        rank.
    """
    out_dir = str(out_dir)
    cfg_file = osp.join(out_dir, 'dist_cfg.py')
    hooks = ', '.join([*extra_hooks,
                       f"dict(type='DumpRankWeightsHook', "
                       f"out_prefix='{out_dir}/rank')"])
    with open(cfg_file, 'w') as f:
        f.write(f"_base_ = '{osp.join(ROOT, config)}'\n"
                f'custom_hooks = [{hooks}]\n')
    env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
               CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    proc = subprocess.run([
        'bash', 'tools/dist_train.sh', cfg_file, str(nproc), '--work-dir',
        osp.join(out_dir, 'dist'), '--cfg-options', *options
    ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-5000:]
    import torch
    load = lambda name: torch.load(osp.join(out_dir, name),  # noqa: E731
                                   weights_only=True)
    initial = [load(f'rank{r}_initial.pth') for r in range(nproc)]
    final = [load(f'rank{r}.pth') for r in range(nproc)]
    return initial, final


def assert_ranks_identical_and_trained(initial, final):
    """Every rank ends with the same tensors, and training changed some."""
    import torch
    first = final[0]
    assert len(first) > 0
    for other in final[1:]:
        assert other.keys() == first.keys()
        for key in first:
            assert torch.equal(first[key], other[key]), key
    assert any(not torch.equal(initial[0][k], first[k]) for k in first)
