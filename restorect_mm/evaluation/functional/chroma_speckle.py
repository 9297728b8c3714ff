"""Chroma speckle share: how much of an image is isolated colour noise."""
import numpy as np
from scipy.ndimage import median_filter

SPECKLE_THRESHOLD = 0.2


def chroma_speckle(rgb: np.ndarray, threshold: float = SPECKLE_THRESHOLD,
                   max_value: float = 255.) -> float:
    """Share (percent) of pixels that are chroma speckles.

    The chroma of a pixel is its RGB minus the mean of its three channels, on
    a [0, 1] scale (``rgb / max_value``). A pixel is a speckle when, in any
    channel, its chroma departs from the 3x3 median of that channel's chroma
    (border pixels: the edge is replicated) by more than ``threshold``. A
    smooth or grey image scores 0; isolated coloured dots, the grain a
    restoration can add to dark regions, raise it.

    Args:
        rgb (np.ndarray): (H, W, 3) image, channels in any colour order
            (the chroma ignores which channel is which).
        threshold (float): largest chroma departure of a clean pixel, on the
            [0, 1] scale. Default 0.2.
        max_value (float): the value of full intensity (255 for 8-bit
            images, 1 for [0, 1] floats).

    Returns:
        float: the speckle pixels as a percentage of all pixels, 0..100.
    """
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'expected an (H, W, 3) image, got {rgb.shape}')
    scaled = rgb / max_value
    chroma = scaled - scaled.mean(axis=2, keepdims=True)
    median = median_filter(chroma, size=(3, 3, 1), mode='nearest')
    speckle = (np.abs(chroma - median) > threshold).any(axis=2)
    return 100.0 * float(speckle.mean())
