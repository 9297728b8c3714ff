"""Registered ``ChromaSpeckle``: the share of pixels whose colour departs
from their neighbourhood (isolated saturated colour dots that PSNR hardly
sees; no reference; see
:func:`restorect_mm.evaluation.functional.chroma_speckle`)."""
import numpy as np

from restorect_mm.evaluation.functional.chroma_speckle import (
    SPECKLE_THRESHOLD, chroma_speckle)
from restorect_mm.registry import METRICS
from .no_reference_metric import NoReferenceMetric


@METRICS.register_module()
class ChromaSpeckle(NoReferenceMetric):
    """Percentage of colour-speckle pixels of an image, lower is better.

    With the image in RGB scaled to [0, 1]:

    * the chroma of a pixel is its RGB vector minus the mean of its three
      channels, ``c_k = x_k - (x_R + x_G + x_B) / 3`` (grey pixels, of any
      brightness, have chroma 0; pure red has (2/3, -1/3, -1/3));
    * the local chroma ``m_k`` is the 3x3 median of ``c_k``, channel by
      channel, over the image itself (border pixels: the edge is
      replicated);
    * the departure of a pixel is ``max_k |c_k - m_k|``, the largest
      per-channel difference;
    * a speckle pixel departs by more than ``threshold`` (0.2, a fifth of
      the full scale).

    The score is ``100 * #speckle pixels / #pixels``. A single off-colour
    pixel in a smooth neighbourhood counts; a brightness dot without colour
    does not, nor does a smooth colour gradient. Colour edges are mostly
    kept by the median, but the corners of colour regions (where the region
    fills fewer than 5 of the 9 window pixels) count, so natural images
    score above 0: compare with the score of the ground truths.

    Args:
        threshold (float): Departure above which a pixel is speckle, in
            [0, 1] units. Default: 0.2.
        **kwargs: ``key``, ``is_predicted``, ``channel_order``,
            ``input_order``, ``collect_device``, ``prefix`` of
            :class:`NoReferenceMetric` (``key='gt_img', is_predicted=False``
            scores the references).

    Metrics:
        - ChromaSpeckle (float): percentage, 0..100.
    """

    metric = 'ChromaSpeckle'

    def __init__(self,
                 threshold: float = SPECKLE_THRESHOLD,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 < threshold < 1:
            raise ValueError(f'threshold must be in (0, 1), got {threshold}')
        self.threshold = threshold

    def score_rgb(self, rgb: np.ndarray) -> float:
        """Speckle percentage of one (H, W, 3) RGB 0..255 image."""
        return chroma_speckle(rgb, threshold=self.threshold)
