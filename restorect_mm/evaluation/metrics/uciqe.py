"""Registered ``UCIQE``: the underwater colour quality of the prediction
(no reference; see :mod:`restorect_mm.evaluation.functional.uciqe`)."""
import numpy as np

from restorect_mm.evaluation.functional.uciqe import uciqe
from restorect_mm.registry import METRICS
from .no_reference_metric import NoReferenceMetric


@METRICS.register_module()
class UCIQE(NoReferenceMetric):
    """UCIQE (Yang & Sowmya 2015), higher is better.

    ``0.4680 sigma_c + 0.2745 con_l + 0.2576 mu_s`` in scikit-image Lab; the
    terms are defined in :func:`restorect_mm.evaluation.functional.uciqe`.

    Args:
        tail (float): Quantile cut of the luminance contrast (top ``tail``
            minus bottom ``tail``). Default: 0.01 (paper; RestoRect's script
            used 0.02).
        chroma_spread (str): 'reference' (the reference implementation's
            sigma_c, default) or 'std' (plain standard deviation of chroma).
        **kwargs: ``key``, ``is_predicted``, ``channel_order``,
            ``input_order``, ``collect_device``, ``prefix`` of
            :class:`NoReferenceMetric`.

    Metrics:
        - UCIQE (float)
    """

    metric = 'UCIQE'

    def __init__(self,
                 tail: float = 0.01,
                 chroma_spread: str = 'reference',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if chroma_spread not in ('reference', 'std'):
            raise ValueError(f"chroma_spread must be 'reference' or 'std', "
                             f'got {chroma_spread!r}')
        self.tail = tail
        self.chroma_spread = chroma_spread

    def score_rgb(self, rgb: np.ndarray) -> float:
        """UCIQE of one (H, W, 3) RGB 0..255 image."""
        return uciqe(rgb, tail=self.tail, chroma_spread=self.chroma_spread)
