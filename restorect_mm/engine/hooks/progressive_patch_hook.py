"""Progressive patch / mini-batch training (Restormer-style, as the reference
code trains both stages of the paper).

The dataloader yields large crops (e.g. 512 px, batch 8 per GPU); at every
iteration this hook keeps a random subset of the batch and a random sub-crop
of each pair, sized by the current stage: small patches in large batches
first, large patches in small batches later.
"""
import bisect
from typing import List, Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from restorect_mm.registry import HOOKS


def _check_sizes(name: str, values: Sequence[int]) -> List[int]:
    values = [int(v) for v in values]
    if not values or any(v <= 0 for v in values):
        raise ValueError(f'{name} must be positive integers, got {values}')
    return values


def draw_window(h: int, w: int, size: int,
                generator: torch.Generator) -> tuple:
    """A random ``size x size`` window inside H x W (a side smaller than
    ``size`` is kept whole), as an index ``(..., rows, columns)``."""
    ph, pw = min(size, h), min(size, w)
    top = int(torch.randint(h - ph + 1, (1, ), generator=generator))
    left = int(torch.randint(w - pw + 1, (1, ), generator=generator))
    return (..., slice(top, top + ph), slice(left, left + pw))


def crop_pair(img: torch.Tensor, gt: Optional[torch.Tensor], size: int,
              generator: torch.Generator, window: Optional[tuple] = None):
    """The same random ``size x size`` window of an input and its GT.

    Args:
        img (Tensor): (C, H, W) input.
        gt (Tensor, optional): (C, H, W) ground truth of the same H, W.
        size (int): Patch size; a side smaller than it is kept whole.
        generator (torch.Generator): Source of the window position.
        window (tuple, optional): A window of :func:`draw_window` to use
            instead of drawing one.

    Returns:
        tuple[Tensor, Tensor | None]: the cropped pair.
    """
    h, w = img.shape[-2:]
    if gt is not None and gt.shape[-2:] != (h, w):
        raise ValueError(
            f'ProgressivePatchHook needs input and GT of one size (scale 1), '
            f'got {tuple(img.shape[-2:])} and {tuple(gt.shape[-2:])}')
    if window is None:
        window = draw_window(h, w, size, generator)
    return img[window], None if gt is None else gt[window]


@HOOKS.register_module()
class ProgressivePatchHook(Hook):
    """Sub-crop and sub-sample each training batch by a stage schedule.

    In ``before_train_iter`` the hook mutates ``data_batch`` in place (MMEngine
    passes that same dict to ``model.train_step``): it keeps
    ``batch_sizes[j]`` randomly chosen samples and takes from each one a
    random ``patch_sizes[j]`` window, identical for ``inputs`` (a list of
    (3, H, W) tensors from ``PackInputs``, or a stacked (B, 3, H, W) tensor)
    and ``data_samples[i].gt_img``. Stage ``j`` starts at iteration
    ``milestones[j - 1]`` (stage 0 at iteration 0). The randomness is
    seeded by ``runner.seed`` and the iteration, so a run (and a resumed run)
    is reproducible; every DDP rank draws the same positions on its own data.

    With ``same_window_per_batch=True`` one window position is drawn per
    iteration and cut from every kept sample, as the reference code crops
    the whole mini-batch (drawn inside the smallest H and W of the kept
    samples); by default each sample gets its own window.

    The current patch and batch size are logged as ``train/patch_size`` and
    ``train/mini_batch_size``.

    Reference (RestoRect / Restormer stage 1): ``patch_sizes=[192, 256, 320,
    384, 464, 512]``, ``batch_sizes=[8, 4, 2, 2, 1, 1]``,
    ``milestones=[92000, 172000, 210000, 243000, 276000]`` on 512-px loads.

    Args:
        patch_sizes (Sequence[int]): Patch size of each stage.
        batch_sizes (Sequence[int]): Samples kept per batch in each stage; a
            batch smaller than that is kept whole.
        milestones (Sequence[int]): Iterations where stages 1, 2, ... begin
            (strictly increasing; one fewer than the stages).
        seed (int, optional): Overrides ``runner.seed`` as the base seed.
        same_window_per_batch (bool): One window for the whole mini-batch
            (the reference) instead of one per sample. Default: False.
    """

    priority = 'NORMAL'

    def __init__(self,
                 patch_sizes: Sequence[int],
                 batch_sizes: Sequence[int],
                 milestones: Sequence[int],
                 seed: Optional[int] = None,
                 same_window_per_batch: bool = False) -> None:
        self.patch_sizes = _check_sizes('patch_sizes', patch_sizes)
        self.batch_sizes = _check_sizes('batch_sizes', batch_sizes)
        self.milestones = [int(m) for m in milestones]
        if len(self.patch_sizes) != len(self.batch_sizes):
            raise ValueError(
                f'patch_sizes ({len(self.patch_sizes)}) and batch_sizes '
                f'({len(self.batch_sizes)}) must have the same length')
        if len(self.milestones) != len(self.patch_sizes) - 1:
            raise ValueError(
                f'{len(self.patch_sizes)} stages need '
                f'{len(self.patch_sizes) - 1} milestones, got '
                f'{self.milestones}')
        if any(b <= a for a, b in zip([0] + self.milestones,
                                      self.milestones)):
            raise ValueError('milestones must be positive and strictly '
                             f'increasing, got {self.milestones}')
        self.seed = seed
        self.same_window_per_batch = bool(same_window_per_batch)
        self._warned = False

    def stage(self, iteration: int) -> int:
        """Index of the stage that ``iteration`` (0-based) belongs to."""
        return bisect.bisect_right(self.milestones, iteration)

    def apply(self, data_batch: dict, iteration: int, seed: int = 0) -> dict:
        """Sub-sample and sub-crop ``data_batch`` in place.

        Args:
            data_batch (dict): ``inputs`` and (optionally) ``data_samples``
                as the dataloader yields them (before preprocessing).
            iteration (int): Current iteration (0-based).
            seed (int): Base seed; combined with ``iteration``.

        Returns:
            dict: ``data_batch`` itself.
        """
        j = self.stage(iteration)
        size, keep = self.patch_sizes[j], self.batch_sizes[j]
        generator = torch.Generator().manual_seed(
            (int(seed) * 1_000_003 + int(iteration)) % (2**63))
        inputs = list(data_batch['inputs'])
        samples = data_batch.get('data_samples')
        samples = None if samples is None else list(samples)
        total = len(inputs)
        if keep < total:
            chosen = sorted(
                torch.randperm(total, generator=generator)[:keep].tolist())
        else:
            chosen = list(range(total))

        window = None
        if self.same_window_per_batch:
            window = draw_window(min(inputs[i].shape[-2] for i in chosen),
                                 min(inputs[i].shape[-1] for i in chosen),
                                 size, generator)
        new_inputs, new_samples = [], []
        for i in chosen:
            sample = None if samples is None else samples[i]
            gt = None
            if sample is not None and 'gt_img' in sample:
                gt = sample.gt_img
            if min(inputs[i].shape[-2:]) < size and not self._warned:
                print_log(
                    f'ProgressivePatchHook: loaded patches of '
                    f'{tuple(inputs[i].shape[-2:])} are smaller than the '
                    f'stage patch {size}; load larger crops.',
                    logger='current', level=30)
                self._warned = True
            img, gt = crop_pair(inputs[i], gt, size, generator, window)
            new_inputs.append(img)
            if sample is not None:
                if gt is not None:
                    sample.gt_img = gt
                new_samples.append(sample)

        if torch.is_tensor(data_batch['inputs']):
            data_batch['inputs'] = torch.stack(new_inputs)
        else:
            data_batch['inputs'] = new_inputs
        if samples is not None:
            data_batch['data_samples'] = new_samples
        return data_batch

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        if data_batch is None:
            return
        seed = self.seed if self.seed is not None else (runner.seed or 0)
        self.apply(data_batch, runner.iter, seed)
        j = self.stage(runner.iter)
        runner.message_hub.update_scalar('train/patch_size',
                                         self.patch_sizes[j])
        runner.message_hub.update_scalar('train/mini_batch_size',
                                         len(data_batch['inputs']))
