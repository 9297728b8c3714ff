"""Registered ``UIQM``: the underwater quality of the prediction (no
reference; see :mod:`restorect_mm.evaluation.functional.uiqm`)."""
import numpy as np

from restorect_mm.evaluation.functional.uiqm import (
    CHANNEL_WEIGHTS, DEFAULT_BLOCK, REFERENCE_TYPO_BLUE_WEIGHT, uiqm)
from restorect_mm.registry import METRICS
from .no_reference_metric import NoReferenceMetric


@METRICS.register_module()
class UIQM(NoReferenceMetric):
    """UIQM (Panetta et al. 2016), higher is better:
    ``0.0282 UICM + 0.2953 UISM + 3.5753 UIConM``; the terms are defined in
    :mod:`restorect_mm.evaluation.functional.uiqm`.

    Args:
        block (int): Block side of EME / logAMEE. Default: 10 (reference).
            Images need at least ``block`` pixels on each side.
        use_reference_blue_weight_typo (bool): False (default) weighs the
            blue sharpness with the BT.601 0.114 of the paper; True with
            the 0.144 of the common reference code, which RestoRect's
            reported UIQM used (raises UISM by 0.03 x EME_B).
        **kwargs: ``key``, ``is_predicted``, ``channel_order``,
            ``input_order``, ``collect_device``, ``prefix`` of
            :class:`NoReferenceMetric`.

    Metrics:
        - UIQM (float)
    """

    metric = 'UIQM'

    def __init__(self,
                 block: int = DEFAULT_BLOCK,
                 use_reference_blue_weight_typo: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.blue_weight = (REFERENCE_TYPO_BLUE_WEIGHT
                            if use_reference_blue_weight_typo else
                            CHANNEL_WEIGHTS[2])

    def score_rgb(self, rgb: np.ndarray) -> float:
        """UIQM of one (H, W, 3) RGB 0..255 image."""
        return uiqm(rgb, block=self.block, blue_weight=self.blue_weight)
