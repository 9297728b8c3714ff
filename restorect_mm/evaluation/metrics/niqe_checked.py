"""Registered ``NIQEChecked``: MMagic's NIQE with an up-front size check and
without needing a ground truth, plus an opt-in switch to RestoRect's
reporting protocol."""
from typing import Dict, Optional, Tuple

import numpy as np
from mmagic.evaluation.metrics import NIQE
from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.niqe import niqe

from restorect_mm.evaluation.functional.paper_protocol import (
    PROTOCOL_CORRECTION, PROTOCOL_CROP_BORDER, PROTOCOL_SIZE,
    apply_paper_protocol, y_channel)
from restorect_mm.registry import METRICS
from .image_batch import check_channel_order
from .per_image_metric import PerImageMetric
from .protocol_psnr_ssim import to_hwc_numpy

# MMagic's NIQE scores 96 x 96 blocks (and their 48 x 48 halves) and fits a
# covariance to the per-block features: with fewer than two blocks per side
# the fit is empty or degenerate and numpy fails deep inside (or returns
# NaN). Two blocks per side is the smallest image we accept.
NIQE_BLOCK = 96
NIQE_MIN_SIDE = 2 * NIQE_BLOCK


@METRICS.register_module()
class NIQEChecked(PerImageMetric, NIQE):
    """NIQE (lower is better), exactly MMagic's number, but

    * an image under 192 px on either side (after ``crop_border``) raises a
      ``ValueError`` naming the sample (its ``img_path`` where it has one)
      and the fix, instead of a numpy error deep in MMagic;
    * only the scored image is read, so sets without a ground truth work
      (MMagic's ``process`` always reads ``gt_img``);
    * ``input_order`` defaults to 'CHW', the layout of data-sample tensors
      (MMagic's default 'HWC' mis-reads them).

    ``paper_protocol=True`` reproduces RestoRect's reported NIQE (arXiv
    2509.23480; the reference evaluation script
    ``RestoRect/evals/evaluation.py`` scores BasicSR's NIQE on the luma of
    the resized, corrected prediction with a 5-px crop) with the
    preprocessing of :mod:`restorect_mm.evaluation.functional.\
paper_protocol`, per image:

    1. prediction and ground truth (``gt_key``, needed) truncated to uint8
       and resized to 256 x 256 (bilinear via float [0, 1], truncation);
    2. the prediction corrected 10 % toward the ground truth's per-channel
       mean / std (the score uses the answer);
    3. its luma with the reference's swapped R/B weights (BasicSR's BGR-only
       Y conversion handed RGB arrays; ``swap_rb_in_y=False`` for standard
       BT.601 luma), computed as BasicSR / MMagic do (float32, not rounded);
    4. MMagic's NIQE, a port of BasicSR's that the reference called
       (rounding, 96-px blocks, MATLAB-like half-scale), with a 5-px crop.

    Every image is scored, whatever its size (the 256 px resize makes small
    images big enough), and the number depends on the ground truth. On the
    unpaired sets the reference used the input image as the "ground
    truth"; give it as ``gt_key`` there. Protocol numbers reproduce the
    paper's tables but are NOT comparable with standard NIQE (full
    resolution, no ground-truth statistics).

    Args:
        key (str): Image to score. Default: 'pred_img'.
        is_predicted (bool): ``key`` under ``output`` (True) or in the sample
            itself (False). Default: True.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric name. Default: none.
        crop_border (int, optional): Pixels cropped on each side.
            Default: None = 0, or 5 under the protocol.
        input_order (str): 'CHW' (default), 'HWC' or 'HW'.
        convert_to (str, optional): 'gray' or 'y'; both assume BGR, which
            MMagic's models give to metrics. Default: None = 'gray'
            (MMagic's default); the protocol always scores 'y'.
        paper_protocol (bool): Default: False (MMagic's NIQE on the image as
            given).
        gt_key (str): Ground truth for the protocol's correction (protocol
            only). Default: 'gt_img'.
        channel_order (str): True channel order of the stored images
            (protocol only; MMagic's edit models give 'BGR', the default).
        protocol_size (int): Protocol resize side. Default: 256.
        protocol_correction (float): Protocol mean / variance correction
            strength. Default: 0.1.
        swap_rb_in_y (bool): Protocol luma with the reference's swapped R/B
            weights (default True); False for standard BT.601 luma.

    Metrics:
        - NIQE (float)
    """

    def __init__(self,
                 key: str = 'pred_img',
                 is_predicted: bool = True,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 crop_border: Optional[int] = None,
                 input_order: str = 'CHW',
                 convert_to: Optional[str] = None,
                 paper_protocol: bool = False,
                 gt_key: str = 'gt_img',
                 channel_order: str = 'BGR',
                 protocol_size: int = PROTOCOL_SIZE,
                 protocol_correction: float = PROTOCOL_CORRECTION,
                 swap_rb_in_y: bool = True) -> None:
        if paper_protocol:
            if convert_to is not None and convert_to.lower() != 'y':
                raise ValueError('paper_protocol=True always scores the Y '
                                 f'channel; got convert_to={convert_to!r}')
            convert_to = 'y'
            if crop_border is None:
                crop_border = PROTOCOL_CROP_BORDER
        super().__init__(
            key=key,
            is_predicted=is_predicted,
            collect_device=collect_device,
            prefix=prefix,
            crop_border=0 if crop_border is None else crop_border,
            input_order=input_order,
            convert_to='gray' if convert_to is None else convert_to)
        self.paper_protocol = paper_protocol
        self.gt_key = gt_key
        self.channel_order = check_channel_order(channel_order)
        self.protocol_size = protocol_size
        self.protocol_correction = protocol_correction
        self.swap_rb_in_y = swap_rb_in_y

    def scored_size(self, img) -> Tuple[int, int]:
        """(H, W) NIQE will see: the image's after ``crop_border``.

        Args:
            img (Tensor | np.ndarray): One image in ``input_order``, or a
                (H, W) one (the protocol's luma).

        Returns:
            tuple[int, int]: Height and width.
        """
        if img.ndim == 2 or self.input_order == 'HW':
            h, w = img.shape[:2]
        elif self.input_order == 'CHW':
            h, w = img.shape[-2:]
        else:
            h, w = img.shape[:2]
        return h - 2 * self.crop_border, w - 2 * self.crop_border

    def check_size(self, img, sample: dict, index: int) -> None:
        """Raise a clear error for an image too small for NIQE.

        Args:
            img (Tensor | np.ndarray): One image in ``input_order``.
            sample (dict): Its data sample (for the name).
            index (int): Its position in the batch (name fallback).
        """
        h, w = self.scored_size(img)
        if min(h, w) >= NIQE_MIN_SIDE:
            return
        name = sample.get('img_path') or sample.get('gt_path') or \
            f'sample {index} of the batch'
        raise ValueError(
            f'NIQE needs images of at least {NIQE_MIN_SIDE} x {NIQE_MIN_SIDE}'
            f' pixels (two {NIQE_BLOCK}-px blocks per side) after '
            f'crop_border={self.crop_border}, but {name} is {h} x {w}. Fix: '
            f'remove NIQEChecked from test_evaluator for this set, or resize '
            f'the test images to at least {NIQE_MIN_SIDE} px per side (plus '
            f'2 x crop_border) in the test pipeline.')

    def protocol_luma(self, pred, gt) -> np.ndarray:
        """Steps 1-3 of the protocol (class docstring) on one pair.

        Args:
            pred (Tensor | np.ndarray): Prediction in ``input_order`` and
                ``channel_order``, 0..255.
            gt (Tensor | np.ndarray): Its ground truth, same layout (any
                size).

        Returns:
            np.ndarray: (size, size) float32 luma of the corrected
            prediction, uncropped.
        """
        order = 'HWC' if self.input_order == 'HW' else self.input_order
        gt_hwc = to_hwc_numpy(gt, order)
        pred_hwc = to_hwc_numpy(pred, order)
        _, pred_u8 = apply_paper_protocol(gt_hwc, pred_hwc,
                                          self.protocol_size,
                                          self.protocol_correction)
        return y_channel(pred_u8, self.channel_order, self.swap_rb_in_y)

    def score_protocol(self, pred, gt, sample: dict, index: int) -> float:
        """Protocol NIQE of one pair (see the class docstring)."""
        luma = self.protocol_luma(pred, gt)
        # passes at the paper's 256 px; fails only for a small protocol_size
        self.check_size(luma, sample, index)
        return float(niqe(luma, self.crop_border, input_order='HW'))

    def ground_truth(self, sample: dict, index: int):
        """The protocol's ground truth of a sample, or a clear error."""
        if self.gt_key not in sample:
            raise KeyError(
                f'NIQEChecked(paper_protocol=True) corrects the prediction '
                f'toward the ground truth, but sample {index} of the batch '
                f'has no {self.gt_key!r}. Fix: set gt_key (the reference '
                f'used the input image on unpaired sets) or '
                f'paper_protocol=False.')
        return self.scored_image(sample, self.gt_key, predicted=False)

    # MMagic's own reduction (a running sum, not numpy's pairwise mean), so
    # that the set's number is exactly MMagic's NIQE
    compute_metrics = BaseSampleWiseMetric.compute_metrics

    def score_sample(self, sample: dict, index: int) -> Dict[str, float]:
        """NIQE of ``key`` (ground truth not needed unless under the
        protocol); a (T, C, H, W) clip scores as the mean of its frames."""
        img = self.scored_image(sample, self.key, self.is_predicted)
        if not self.paper_protocol:
            return {self.metric: self.frame_mean(
                img, lambda frame: self.score_plain(frame, sample, index))}
        frames = self.frames(img)
        gt = self.ground_truth(sample, index)
        gt_frames = gt if gt.ndim == 4 else [gt] * len(frames)
        scores = [
            self.score_protocol(frame, gt_frame, sample, index)
            for frame, gt_frame in zip(frames, gt_frames)
        ]
        return {self.metric: float(np.mean(scores))}

    def score_plain(self, img, sample: dict, index: int) -> float:
        """MMagic's NIQE of one image, after the size check."""
        self.check_size(img, sample, index)
        return float(self.process_image(None, img, None))
