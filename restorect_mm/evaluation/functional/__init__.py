"""Pure-numpy image-quality functions (no registry, no data samples)."""
from .chroma_speckle import SPECKLE_THRESHOLD, chroma_speckle
from .paper_protocol import (apply_paper_protocol, correct_mean_variance,
                             resize_like_reference, truncate_to_uint8,
                             y_channel_order)
from .uciqe import UCIQE_WEIGHTS, uciqe
from .uiqm import (UIQM_WEIGHTS, alpha_trimmed_mean, eme, logamee,
                   sobel_magnitude, uicm, uiconm, uiqm, uism)

__all__ = [
    'SPECKLE_THRESHOLD', 'chroma_speckle',
    'apply_paper_protocol', 'correct_mean_variance', 'resize_like_reference',
    'truncate_to_uint8', 'y_channel_order', 'UCIQE_WEIGHTS', 'uciqe',
    'UIQM_WEIGHTS', 'alpha_trimmed_mean', 'eme', 'logamee', 'sobel_magnitude',
    'uicm', 'uiconm', 'uiqm', 'uism'
]
