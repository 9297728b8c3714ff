"""Exact resume: every training iteration draws from RNGs seeded by
(seed, rank, iteration), so a resumed run repeats the uninterrupted one.

MMEngine checkpoints no RNG state, and on resume it replays the dataloader up
to the resumed iteration (``IterBasedTrainLoop`` fetches and discards every
batch already trained), which itself consumes random numbers when the data are
loaded in the main process (``num_workers=0``). Saving and restoring RNG states
would therefore need a restore point after that replay and every rank's state
on rank 0 (which alone writes the checkpoint). Seeding per iteration needs
neither: the random stream of iteration ``k`` depends on nothing that ran
before it (earlier iterations, validation, the replay), only on ``k``.

Worker processes (``num_workers > 0``) are seeded by MMEngine's
``worker_init_fn`` when the dataloader starts and the replay re-runs them over
the same samples, so their streams match too; the sampler's order follows the
run's seed, which a resume takes from the checkpoint. Written here because no
MMEngine hook re-seeds per iteration.
"""
import logging
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.logging import print_log

from restorect_mm.registry import HOOKS


def iteration_seed(seed: int, rank: int, iteration: int) -> int:
    """A well-mixed 32-bit seed for one (seed, rank, iteration) triple."""
    return int(
        np.random.SeedSequence([int(seed) % 2**32, rank, iteration])
        .generate_state(1)[0])


def seed_everything(seed: int):
    """Seed python's ``random``, numpy's global RNG and torch (CPU and every
    CUDA device)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class _SeedEachFetch:
    """Wraps the train loop's dataloader iterator: before fetching the batch
    of iteration ``k`` (the ``k``-th fetch, resume replay included) it seeds
    every RNG for ``k``, so batch loading and the training step of ``k`` see
    the same random stream in any run."""

    def __init__(self, iterator, seed_of):
        self._iterator = iterator
        self._seed_of = seed_of
        self.fetches = 0

    def __iter__(self):
        return self

    def __next__(self):
        seed_everything(self._seed_of(self.fetches))
        self.fetches += 1
        return next(self._iterator)


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Seeds all RNGs before each training batch from (seed, rank, iteration).

    The base seed is ``runner.seed`` (``randomness.seed`` in the config, or the
    resumed checkpoint's); ranks get distinct streams only with
    ``randomness.diff_rank_seed=True``, as in MMEngine. Only iteration-based
    training is covered (every restorect_mm config); an epoch-based loop is
    left alone with a warning.

    Args:
        seed (int, optional): overrides ``runner.seed``. Defaults to None.
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed=None):
        self.seed = seed

    def before_train_epoch(self, runner):
        # called once by IterBasedTrainLoop.run, after resume and before the
        # replay of already trained batches
        loop = runner.train_loop
        iterator = getattr(loop, 'dataloader_iterator', None)
        if iterator is None:
            print_log(
                'IterationSeedHook covers iteration-based training only; '
                f'{type(loop).__name__} keeps MMEngine\'s seeding, so a '
                'resumed run is not bit-exact.', logger='current',
                level=logging.WARNING)
            return
        if isinstance(iterator, _SeedEachFetch):
            return
        base = runner.seed if self.seed is None else self.seed
        if runner._randomness_cfg.get('seed') is None and self.seed is None:
            print_log(
                'randomness.seed is not set: the run draws a random seed, '
                'kept in its checkpoints for --resume.', logger='current',
                level=logging.INFO)
        rank = get_rank() if runner._randomness_cfg.get(
            'diff_rank_seed', False) else 0
        loop.dataloader_iterator = _SeedEachFetch(
            iterator, lambda k: iteration_seed(base, rank, k))
