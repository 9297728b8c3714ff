"""Bring the ground truth of a batch to model space, whatever the
preprocessing mode: shared by the stage-0, stage-1 and stage-2 models."""
from typing import Optional

import torch
from torch import nn

from mmagic.structures import DataSample


def _first(value):
    """Metainfo of a stacked DataSample is a per-sample list."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def ground_truth_in_model_space(data_preprocessor: nn.Module,
                                data_samples: Optional[DataSample],
                                normalised: bool,
                                like: torch.Tensor) -> Optional[torch.Tensor]:
    """``data_samples.gt_img`` in the inputs' channel order and value range.

    MMagic's DataPreprocessor normalises the ground truth in training, but in
    test mode leaves it in 0..255 and in the order the metrics expect (BGR);
    this brings either case to model space.

    Args:
        data_preprocessor (nn.Module): MMagic's DataPreprocessor.
        data_samples (DataSample, optional): Stacked samples.
        normalised (bool): Whether ``gt_img`` is already normalised
            (training-mode preprocessing).
        like (Tensor): The preprocessed inputs; the result takes their dtype
            and device.

    Returns:
        Tensor | None: (B, 3, H, W), or None without a ground truth.
    """
    if data_samples is None or 'gt_img' not in data_samples:
        return None
    gt = data_samples.gt_img.to(device=like.device, dtype=like.dtype)
    meta = data_samples.metainfo
    gt_order = _first(meta.get('gt_img_output_channel_order'))
    in_order = _first(meta.get('img_output_channel_order'))
    if gt_order and in_order and gt.shape[1] == 3 and \
            gt_order.upper() != in_order.upper():
        gt = gt.flip(1)
    if not normalised and data_preprocessor._enable_normalize:
        gt = (gt - data_preprocessor.mean) / data_preprocessor.std
    return gt
