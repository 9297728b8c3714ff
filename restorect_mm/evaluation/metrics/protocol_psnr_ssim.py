"""Registered ``ProtocolPSNR`` / ``ProtocolSSIM``: MMagic's PSNR / SSIM with
an opt-in switch to RestoRect's reporting protocol.

``paper_protocol=False`` (default): exactly MMagic's PSNR / SSIM.
``paper_protocol=True``: per pair, truncate to uint8, resize both to
256 x 256 (bilinear via float [0, 1], truncation), correct the prediction
10 % toward the ground truth's per-channel mean / std, score the luma channel
with the reference's R/B swap and a 5-px crop (see
:mod:`restorect_mm.evaluation.functional.paper_protocol`).

Paper-protocol numbers reproduce RestoRect's reported tables but are NOT
comparable with standard tables (full resolution, RGB, no crop, no
ground-truth statistics): the correction uses the answer, and resizing and
cropping hide errors. Report them only next to standard numbers.
"""
from typing import Optional

import numpy as np
import torch
from mmagic.evaluation.metrics import PSNR, SSIM
from mmagic.evaluation.metrics.psnr import psnr
from mmagic.evaluation.metrics.ssim import ssim
from mmagic.utils import reorder_image

from restorect_mm.evaluation.functional.paper_protocol import (
    PROTOCOL_CORRECTION, PROTOCOL_CROP_BORDER, PROTOCOL_SIZE,
    apply_paper_protocol, y_channel_order)
from restorect_mm.registry import METRICS


def to_hwc_numpy(img, input_order: str) -> np.ndarray:
    """(C, H, W) or (H, W, C) tensor / array -> (H, W, C) numpy array."""
    if isinstance(img, torch.Tensor):
        img = img.detach().cpu().numpy()
    return np.asarray(reorder_image(img, input_order=input_order))


class PaperProtocolMixin:
    """The paper-protocol switch shared by :class:`ProtocolPSNR` and
    :class:`ProtocolSSIM`; ``score_fn`` is MMagic's ``psnr`` or ``ssim``.
    Its arguments are documented at :class:`ProtocolPSNR`; the others go to
    MMagic's metric."""

    score_fn = None

    def __init__(self,
                 paper_protocol: bool = False,
                 crop_border: Optional[int] = None,
                 convert_to: Optional[str] = None,
                 protocol_size: int = PROTOCOL_SIZE,
                 protocol_correction: float = PROTOCOL_CORRECTION,
                 swap_rb_in_y: bool = True,
                 **kwargs) -> None:
        super().__init__(convert_to=convert_to, **kwargs)
        self.setup_protocol(paper_protocol, crop_border, convert_to,
                            protocol_size, protocol_correction, swap_rb_in_y)

    def setup_protocol(self, paper_protocol: bool, crop_border: Optional[int],
                       convert_to: Optional[str], protocol_size: int,
                       protocol_correction: float, swap_rb_in_y: bool) -> None:
        """Resolve the options (after the parent ``__init__``).

        Args:
            paper_protocol (bool): Switch.
            crop_border (int, optional): None: 5 under the protocol, else 0.
            convert_to (str, optional): Must be None or 'Y' under the
                protocol (which always scores Y).
            protocol_size (int): Resize side (protocol only).
            protocol_correction (float): Correction strength (protocol
                only).
            swap_rb_in_y (bool): Reproduce the reference's swapped luma
                (protocol only); False gives standard BT.601 luma.
        """
        self.paper_protocol = paper_protocol
        self.protocol_size = protocol_size
        self.protocol_correction = protocol_correction
        self.swap_rb_in_y = swap_rb_in_y
        if not paper_protocol:
            self.crop_border = 0 if crop_border is None else crop_border
            return
        if convert_to is not None and convert_to.upper() != 'Y':
            raise ValueError('paper_protocol=True always scores the Y '
                             f'channel; got convert_to={convert_to!r}')
        self.convert_to = 'Y'
        self.crop_border = PROTOCOL_CROP_BORDER if crop_border is None \
            else crop_border

    def process_image(self, gt, pred, mask):
        """Score one pair.

        Args:
            gt (Tensor | np.ndarray): Ground truth in ``input_order``, 0..255,
                in ``self.channel_order`` (MMagic: BGR).
            pred (Tensor | np.ndarray): Prediction, same layout (any size
                under the protocol).
            mask: Unused (as MMagic's PSNR / SSIM).

        Returns:
            float: The score.
        """
        if not self.paper_protocol:
            return super().process_image(gt, pred, mask)
        gt_hwc = to_hwc_numpy(gt, self.input_order)
        pred_hwc = to_hwc_numpy(pred, self.input_order)
        gt_u8, pred_u8 = apply_paper_protocol(gt_hwc, pred_hwc,
                                              self.protocol_size,
                                              self.protocol_correction)
        return self.score_fn(
            gt_u8,
            pred_u8,
            crop_border=self.crop_border,
            input_order='HWC',
            convert_to='Y',
            channel_order=y_channel_order(self.channel_order,
                                          self.swap_rb_in_y))


@METRICS.register_module()
class ProtocolPSNR(PaperProtocolMixin, PSNR):
    """MMagic's PSNR, or RestoRect's paper protocol with
    ``paper_protocol=True`` (numbers NOT comparable with standard tables;
    see the module docstring).

    Args:
        paper_protocol (bool): Default: False (exactly MMagic's PSNR).
        crop_border (int, optional): Default: None = 0, or 5 under the
            protocol.
        convert_to (str, optional): As MMagic's; the protocol forces 'Y'.
        protocol_size (int): Protocol resize side. Default: 256.
        protocol_correction (float): Protocol mean / variance correction
            strength. Default: 0.1.
        swap_rb_in_y (bool): Protocol luma with the reference's swapped R/B
            weights (default True, reproduces the reported numbers); False
            for standard BT.601 luma.
        **kwargs: ``gt_key``, ``pred_key``, ``collect_device``, ``prefix``,
            ``input_order`` of MMagic's PSNR.

    Metrics:
        - PSNR (float); use ``prefix`` to tell it apart from a plain PSNR in
          the same evaluator.
    """

    score_fn = staticmethod(psnr)


@METRICS.register_module()
class ProtocolSSIM(PaperProtocolMixin, SSIM):
    """MMagic's SSIM, or RestoRect's paper protocol with
    ``paper_protocol=True`` (numbers NOT comparable with standard tables;
    see the module docstring). MMagic computes SSIM in float32 where
    BasicSR (the reference) uses float64: differences of ~1e-6.

    Args: as :class:`ProtocolPSNR`.

    Metrics:
        - SSIM (float)
    """

    score_fn = staticmethod(ssim)
